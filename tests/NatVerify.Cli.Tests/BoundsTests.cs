using System.Text.Json.Nodes;
using Xunit;

namespace NatVerify.Cli.Tests;

/// <summary>
/// The run bounds of <c>check</c> (issues 14 and 15): --max-memory bounds the process's resident memory, a default
/// bound derived from the machine applies without it, and the verdict names the bound that was applied and the one
/// that ended the search.
/// </summary>
public sealed class BoundsTests
{
    /// <summary>Eight independent flows: 3^8 = 6,561 states, more than the 4,096 after which memory is first measured.</summary>
    internal static readonly string EightFlows = "name: eight-independent-flows\ndescription: interleavings only\nactors:\n" +
        string.Concat(Enumerable.Range(1, 8).Select(i => $"  - name: c{i}\n    flow: 198.51.100.1:{10000 + i} -> 198.51.100.2:80\n"));

    [Fact]
    public void Check_with_a_memory_bound_below_the_resident_memory_is_inconclusive_and_names_the_bound_and_what_it_measures()
    {
        var (code, output, _) = CliRunner.Run("check", CliRunner.TempSpec(EightFlows), "--max-memory", "1");
        Assert.Equal(ExitCode.Inconclusive, code);
        Assert.Contains("Verdict: INCONCLUSIVE. The --max-memory bound ended the search after 4,096 states", output);
        Assert.Contains("resident memory reached", output);
        Assert.Contains("Bounds: memory 1 MiB resident (--max-memory); time none", output);
    }

    [Fact]
    public void Check_without_max_memory_applies_a_default_bound_from_the_machine_and_says_so()
    {
        var (code, output, _) = CliRunner.Run("check", CliRunner.TempSpec(EightFlows));
        Assert.Equal(ExitCode.Holds, code);
        Assert.Matches(@"Bounds: memory [0-9,]+ MiB resident \(default: 75% of [0-9,]+ MiB, (MemAvailable in /proc/meminfo|the cgroup limit [a-z_.]+)\); time none", output);
    }

    [Fact]
    public void Check_json_reports_the_applied_limits_and_the_bound_that_ended_the_search()
    {
        var (code, stdout, _) = CliRunner.Run("check", CliRunner.TempSpec(EightFlows), "--max-memory", "1", "--timeout", "600", "--json");
        Assert.Equal(ExitCode.Inconclusive, code);
        JsonSchemaValidator.AssertValid(stdout);
        var result = JsonNode.Parse(stdout)!["result"]!;
        Assert.Equal("max-memory", (string)result["bound"]!["kind"]!);
        Assert.Equal(1L << 20, (long)result["limits"]!["memoryBytes"]!);
        Assert.False((bool)result["limits"]!["memoryDefault"]!);
        Assert.Equal(600.0, (double)result["limits"]!["timeoutSeconds"]!);

        var (_, defaulted, _) = CliRunner.Run("check", "seed:thief-first", "--json");
        JsonSchemaValidator.AssertValid(defaulted);
        var limits = JsonNode.Parse(defaulted)!["result"]!["limits"]!;
        Assert.True((bool)limits["memoryDefault"]!);
        Assert.Equal((long)((long)limits["availableBytes"]! * 0.75), (long)limits["memoryBytes"]!);
    }

    [Fact]
    public void Prove_json_names_the_whole_run_bound_that_ended_it_and_the_limits_applied()
    {
        var yaml = "name: ten-snat-flows\ndescription: ten SNAT flows\ninterfaces:\n  veth0: 198.51.100.1\nruleset: |\n  *nat\n  :POSTROUTING ACCEPT [0:0]\n" +
            "  -A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.1:20000-20003\n  COMMIT\nactors:\n" +
            string.Concat(Enumerable.Range(0, 10).Select(i => $"  - name: f{i}\n    flow: 198.51.100.{10 + i}:40000 -> 203.0.113.2:80\n"));
        var (code, stdout, stderr) = CliRunner.Run("prove", CliRunner.TempSpec(yaml), "--bmc", "250", "--timeout", "0.5", "--json");
        Assert.True(code == ExitCode.Inconclusive, stderr);
        JsonSchemaValidator.AssertValid(stdout);
        var result = JsonNode.Parse(stdout)!["result"]!;
        Assert.Equal("inconclusive", (string)result["verdict"]!);
        Assert.Equal("timeout", (string)result["runBound"]!["kind"]!);
        Assert.Equal(0.5, (double)result["limits"]!["timeoutSeconds"]!);
        Assert.All(result["properties"]!.AsArray(), p => Assert.Equal("unknown", (string)p!["outcome"]!));
    }
}
