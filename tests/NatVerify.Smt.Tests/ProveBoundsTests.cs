using NatVerify.Cli;
using Xunit;

namespace NatVerify.Smt.Tests;

/// <summary>
/// Runs alone: a memory bound sets Z3's process-wide allocation limit (memory_max_size) while it runs, which must not
/// reach a concurrent prove of another test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Z3GlobalLimitCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Z3 global limits";
}

/// <summary>
/// <c>prove</c>'s whole-run bounds (issue 14, item 5): --timeout bounds the run with the encoding included, --max-memory
/// the process's resident memory, and a bound that ends the run is inconclusive (exit 3) and named. Each bound here
/// is far below what the run needs, so the outcome does not depend on the machine's speed.
/// </summary>
[Collection(Z3GlobalLimitCollection.Name)]
public sealed class ProveBoundsTests
{
    /// <summary>Ten flows SNATed into one 4-port range: the BMC of 250 steps that once ran two minutes and died in Z3.</summary>
    internal static readonly string TenSnatFlows = """
        name: ten-snat-flows
        description: ten flows SNATed to one address and a 4-port range
        profile: linux-6.12
        interfaces:
          veth0: 198.51.100.1
        ruleset: |
          *nat
          :PREROUTING ACCEPT [0:0]
          :INPUT ACCEPT [0:0]
          :OUTPUT ACCEPT [0:0]
          :POSTROUTING ACCEPT [0:0]
          -A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.1:20000-20003
          COMMIT
        actors:
        """ + "\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"  - name: f{i}\n    flow: 198.51.100.{10 + i}:40000 -> 203.0.113.2:80\n"));

    [Fact]
    public void Bmc_whose_encoding_outlasts_the_timeout_is_inconclusive_and_names_the_time_bound()
    {
        var (code, stdout, stderr) = Support.Cli("prove", Support.TempSpec(TenSnatFlows), "--bmc", "250", "--timeout", "0.5");
        Assert.True(code == ExitCode.Inconclusive, stdout + stderr);
        Assert.Contains("Verdict: INCONCLUSIVE. The --timeout bound ended the run", stdout, StringComparison.Ordinal);
        Assert.Contains("time bound of 0.5 s (--timeout bounds the whole run, encoding included). The run stopped while building the encoding.", stdout, StringComparison.Ordinal);
        Assert.Contains("linked-tuple-uniqueness          UNKNOWN   (not answered: the time bound ended the run; nothing is proved)", stdout, StringComparison.Ordinal);
        Assert.Contains("Bounds: memory", stdout, StringComparison.Ordinal);
        Assert.Contains("time 0.5 s for the whole run (--timeout)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bmc_over_its_memory_bound_is_inconclusive_and_names_the_resident_memory_bound()
    {
        var (code, stdout, stderr) = Support.Cli("prove", Support.TempSpec(TenSnatFlows), "--bmc", "250", "--max-memory", "1");
        Assert.True(code == ExitCode.Inconclusive, stdout + stderr);
        Assert.Contains("Verdict: INCONCLUSIVE. The --max-memory bound ended the run", stdout, StringComparison.Ordinal);
        Assert.Contains("resident memory reached", stdout, StringComparison.Ordinal);
        Assert.Contains("over the memory bound of 1 MiB", stdout, StringComparison.Ordinal);
        Assert.Contains("Bounds: memory 1 MiB resident (--max-memory)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Induction_over_its_memory_bound_is_inconclusive()
    {
        var (code, stdout, stderr) = Support.Cli("prove", "--induction", "--profile", "linux-6.12", "--max-memory", "1");
        Assert.True(code == ExitCode.Inconclusive, stdout + stderr);
        Assert.Contains("not answered: The process's resident memory reached", stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: INCONCLUSIVE.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_that_is_not_reached_changes_nothing()
    {
        var (code, stdout, stderr) = Support.Cli("prove", "seed:race-unconstrained", "--bmc", "8", "--timeout", "600", "--max-memory", "16384");
        Assert.True(code == ExitCode.Holds, stdout + stderr);
        Assert.Contains("Bounds: memory 16,384 MiB resident (--max-memory); time 600 s for the whole run (--timeout)", stdout, StringComparison.Ordinal);
    }
}
