using System.Text.Json.Nodes;
using Xunit;

namespace NatVerify.Cli.Tests;

/// <summary>
/// The whole-run bounds of <c>props</c> and <c>policy</c> (issue 14): <c>--timeout</c> and <c>--max-memory</c> as on
/// <c>check</c> and <c>prove</c>, the memory measured as the process's resident memory with a default from the
/// machine, and exit 3 naming the bound when one cuts the run short. Every bound here is far below what the run needs
/// (1 MiB of resident memory, a millisecond for a million cases), so the outcome does not depend on the machine's speed.
/// </summary>
public sealed class WholeRunBoundsTests
{
    private static string Policy(string name) => CliRunner.Spec(Path.Combine("specs", "policies", name, "ruleset.iptables-save"));

    [Fact]
    public void Props_over_its_memory_bound_is_inconclusive_and_names_the_resident_memory_bound()
    {
        var (code, output, err) = CliRunner.Run("props", "--count", "1000000", "--max-memory", "1", "--seed", "7");
        Assert.True(code == ExitCode.Inconclusive, output + err);
        Assert.Contains("INCONCLUSIVE: the --max-memory bound (1 MiB of the process's resident memory) ended it", output);
        Assert.Contains("Bounds: memory 1 MiB resident (--max-memory); time none", output);
    }

    [Fact]
    public void Props_over_its_whole_run_timeout_is_inconclusive_and_names_the_time_bound()
    {
        var (code, output, err) = CliRunner.Run("props", "--count", "1000000", "--timeout", "0.001", "--seed", "7");
        Assert.True(code == ExitCode.Inconclusive, output + err);
        Assert.Contains("INCONCLUSIVE: the --timeout bound (0.001 s for the whole run) ended it", output);
    }

    [Fact]
    public void Props_without_max_memory_applies_the_default_bound_and_says_so()
    {
        var (code, output, err) = CliRunner.Run("props", "--count", "2", "--property", "law:invert-involution", "--seed", "7");
        Assert.True(code == ExitCode.Holds, output + err);
        Assert.Matches(@"Bounds: memory [0-9,]+ MiB resident \(default: 75% of [0-9,]+ MiB, (MemAvailable in /proc/meminfo|the cgroup limit [a-z_.]+)\); time none", output);
    }

    [Fact]
    public void Props_json_names_the_bound_that_ended_it_and_the_limits()
    {
        var (code, stdout, _) = CliRunner.Run("props", "--count", "1000000", "--max-memory", "1", "--timeout", "600", "--seed", "7", "--json");
        Assert.Equal(ExitCode.Inconclusive, code);
        JsonSchemaValidator.AssertValid(stdout);
        var result = JsonNode.Parse(stdout)!["result"]!;
        Assert.Equal("inconclusive", (string)result["verdict"]!);
        Assert.Equal("max-memory", (string)result["bound"]!);
        Assert.Equal(1L << 20, (long)result["limits"]!["memoryBytes"]!);
        Assert.Equal(600.0, (double)result["limits"]!["timeoutSeconds"]!);
    }

    [Fact]
    public void Policy_over_its_memory_bound_is_inconclusive_and_names_the_resident_memory_bound()
    {
        var (code, output, err) = CliRunner.Run("policy", Policy("home-router"), "--max-memory", "1");
        Assert.True(code == ExitCode.Inconclusive, output + err);
        Assert.Contains("INCOMPLETE: the --max-memory bound (1 MiB of the process's resident memory) ended it before the analysis finished", output);
    }

    [Fact]
    public void Policy_over_its_whole_run_timeout_is_inconclusive_in_json_too()
    {
        var (code, stdout, _) = CliRunner.Run("policy", Policy("snat-small-pool"), "--timeout", "0.000001", "--json");
        Assert.Equal(ExitCode.Inconclusive, code);
        JsonSchemaValidator.AssertValid(stdout);
        var result = JsonNode.Parse(stdout)!["result"]!;
        Assert.Equal("inconclusive", (string)result["verdict"]!);
        Assert.Contains("--timeout bound", (string)result["inconclusive"]!);
    }

    [Fact]
    public void Policy_within_its_bounds_runs_to_the_end()
    {
        var (code, output, err) = CliRunner.Run("policy", Policy("snat-small-pool"), "--timeout", "600", "--max-memory", "65536");
        Assert.True(code is ExitCode.Holds or ExitCode.Violated, output + err);
        Assert.DoesNotContain("INCOMPLETE", output);
    }

    [Fact]
    public void Prove_induction_with_a_tiny_whole_run_timeout_is_inconclusive_and_answers_nothing()
    {
        var (code, output, err) = CliRunner.Run("prove", "--induction", "--timeout", "0.001");
        Assert.True(code == ExitCode.Inconclusive, output + err);
        Assert.Contains("Verdict: INCONCLUSIVE.", output);
        Assert.Contains("The run exceeded its time bound of 0.001 s (--timeout bounds the whole run, encoding included)", output);
        Assert.DoesNotContain(" PROVED", output);
    }

    [Theory]
    [InlineData("props", "--timeout", "0")]
    [InlineData("props", "--max-memory", "0")]
    [InlineData("policy", "--timeout", "-1")]
    public void A_bad_bound_is_bad_input(string command, string option, string value)
    {
        var args = command == "policy" ? new[] { command, Policy("snat-small-pool"), option, value } : [command, option, value];
        Assert.Equal(ExitCode.BadInput, CliRunner.Run(args).Code);
    }
}
