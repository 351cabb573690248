using NatVerify.Cli;
using Xunit;

namespace NatVerify.Smt.Tests;

/// <summary><c>natverify prove</c>: exit codes, output and bad input.</summary>
public sealed class ProveCommandTests
{
    [Fact]
    public void Induction_proves_every_profile_and_exits_0()
    {
        var (code, stdout, _) = Support.Cli("prove", "--induction");
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("Verdict: PROVED for linux-6.12, linux-5.15, linux-4.19", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILS", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Induction_against_the_clash_check_mutant_prints_the_counterexample_and_exits_1()
    {
        var (code, stdout, _) = Support.Cli("prove", "--induction", "--profile", "linux-5.15", "--mutant", "no-confirm-clash-check");
        Assert.Equal(ExitCode.Violated, code);
        Assert.Contains("confirm-preserves-uniqueness           FAILS", stdout, StringComparison.Ordinal);
        Assert.Contains("counterexample to induction for confirm-preserves-uniqueness (profile linux-5.15", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Induction_lists_one_obligation_per_table_changing_step_and_takes_proof_only_mutants()
    {
        var (code, stdout, _) = Support.Cli("prove", "--induction", "--profile", "linux-6.12", "--mutant", "init-conntrack-links-entry");
        Assert.Equal(ExitCode.Violated, code);
        foreach (var id in new[] { "conntrack-in-preserves-invariant", "nat-setup-preserves-invariant", "ctnetlink-delete-preserves-invariant", "gc-preserves-invariant" })
        {
            Assert.Contains(id, stdout, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("other-steps", stdout, StringComparison.Ordinal);
        Assert.Contains("conntrack-in-preserves-invariant       FAILS", stdout, StringComparison.Ordinal);
        Assert.Contains("X linked at once", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bmc_on_the_seed_race_with_symbolic_ports_holds_and_lists_the_rewrite()
    {
        var (code, stdout, stderr) = Support.Cli("prove", "seed:race-thief", "--bmc", "8", "--symbolic", "client.sport", "--symbolic", "thief.sport");
        Assert.True(code == ExitCode.Holds, stdout + stderr);
        Assert.Contains("linked-tuple-uniqueness          HOLDS", stdout, StringComparison.Ordinal);
        Assert.Contains("{client: rewritten:1024-65535, thief: nat}   e.g. client.sport = 12345", stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: HOLDS for every value of client.sport, thief.sport and every interleaving", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bmc_of_a_spec_file_with_a_symbolic_key_holds()
    {
        var (code, stdout, stderr) = Support.Cli("prove", Path.Combine(Support.TestSpecs, "race-thief-symbolic.yaml"), "--bmc", "8", "--property", "linked-tuple-uniqueness");
        Assert.True(code == ExitCode.Holds, stdout + stderr);
        Assert.Contains("symbolic fields: client.sport, thief.sport", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bmc_against_a_mutant_prints_the_replayed_witness_and_exits_1()
    {
        var (code, stdout, _) = Support.Cli("prove", "seed:race-unconstrained", "--bmc", "8", "--mutant", "no-confirm-clash-check", "--no-outcomes");
        Assert.Equal(ExitCode.Violated, code);
        Assert.Contains("Witness for linked-tuple-uniqueness", stdout, StringComparison.Ordinal);
        Assert.Contains("reproduced:", stdout, StringComparison.Ordinal);
        Assert.Contains("__nf_conntrack_confirm", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_below_the_full_depth_says_longer_runs_are_not_covered()
    {
        var (code, stdout, _) = Support.Cli("prove", "seed:client-first", "--bmc", "4");
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("longer runs are NOT covered", stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: HOLDS up to 4 steps", stdout, StringComparison.Ordinal);
    }

    /// <summary>A 1 ms solver limit: every query ends unknown, which is inconclusive (exit 3), never "holds".</summary>
    [Fact]
    public void A_solver_timeout_is_inconclusive_and_exits_3()
    {
        var (code, stdout, _) = Support.Cli("prove", "seed:race-unconstrained", "--bmc", "8", "--timeout", "0.001");
        Assert.Equal(ExitCode.Inconclusive, code);
        Assert.Contains("UNKNOWN", stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: INCONCLUSIVE", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "prove", "seed:race-thief" }, "exactly one of --bmc K and --induction")]
    [InlineData(new[] { "prove", "seed:race-thief", "--bmc", "8", "--induction" }, "exactly one of --bmc K and --induction")]
    [InlineData(new[] { "prove", "--bmc", "8" }, "--bmc needs a spec")]
    [InlineData(new[] { "prove", "seed:race-thief", "--bmc", "-1" }, "--bmc must be between")]
    [InlineData(new[] { "prove", "seed:race-thief", "--bmc", "8", "--symbolic", "client.port" }, "unknown field 'port'")]
    [InlineData(new[] { "prove", "seed:race-thief", "--bmc", "8", "--symbolic", "nobody.sport" }, "no actor 'nobody'")]
    [InlineData(new[] { "prove", "seed:nope", "--bmc", "8" }, "no embedded spec")]
    [InlineData(new[] { "prove", "seed:race-thief", "--bmc", "8", "--mutant", "nope" }, "unknown mutant")]
    [InlineData(new[] { "prove", "--induction", "--profile", "linux-1.0" }, "unknown kernel profile")]
    [InlineData(new[] { "prove", "seed:race-thief", "--bmc", "8", "--mutant", "ct-delete-leaves-reply-node" }, "exists only for --induction")]
    [InlineData(new[] { "prove", "--induction", "seed:race-thief" }, "--induction takes no spec")]
    [InlineData(new[] { "prove", "seed:race-thief", "--bmc", "8", "--property", "nope" }, "unknown property")]
    public void Bad_input_is_refused_with_exit_2(string[] args, string message)
    {
        var (code, _, stderr) = Support.Cli(args);
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_outside_the_bmc_subset_is_refused_with_exit_2()
    {
        var (code, _, stderr) = Support.Cli("prove", Path.Combine(Support.TestSpecs, "timeout-flow.yaml"), "--bmc", "4");
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains("not supported by --bmc", stderr, StringComparison.Ordinal);
        Assert.Contains("is an entry timeout", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_error_is_reported_at_its_line()
    {
        var path = Support.TempSpec("name: x\ndescription: y\nsymbolic: [a.sport]\nactors:\n  - name: b\n    flow: 198.51.100.1:1 -> 198.51.100.2:2\n");
        try
        {
            var (code, _, stderr) = Support.Cli("prove", path, "--bmc", "2");
            Assert.Equal(ExitCode.BadInput, code);
            Assert.Contains($"{path}:3:", stderr, StringComparison.Ordinal);
            Assert.Contains("no actor 'a'", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
