using System.Diagnostics;
using NatVerify.Oracle.Kernel;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// A run leaves nothing behind however it ends: a failure at any stage, an interrupted CLI (SIGINT), or a
/// creator that died outright (its namespaces are collected by the next run). Checked with <c>ip netns list</c>
/// and the process table before and after.
/// </summary>
[Collection(KernelCollection.Name)]
public class CleanupTests
{
    [OracleTheory]
    [InlineData("ruleset")]
    [InlineData("agents")]
    [InlineData("drive")]
    [InlineData("observe")]
    public void Failure_at_any_stage_leaves_no_namespace_or_agent_behind(string stage)
    {
        Netns.DeleteStale();
        var before = OracleEnvironment.OracleNamespaces();
        var reached = new List<string>();
        var options = new OracleOptions
        {
            Agent = OracleEnvironment.Agent,
            Seed = 3,
            OnStage = s =>
            {
                reached.Add(s);
                if (s == stage)
                {
                    // By now the namespaces exist, and from "drive" on the agents run too.
                    Assert.NotEqual(before, OracleEnvironment.OracleNamespaces());
                    Assert.Equal(s is "drive" or "observe", AgentsOf(Environment.ProcessId).Count > 0);
                    throw new InjectedFailure(stage);
                }
            },
        };
        var e = Assert.Throws<InjectedFailure>(() => OracleRunner.Run(OracleEnvironment.Load("specs/seed/thief-first.yaml"), options));
        Assert.Equal(stage, e.Message);
        Assert.Equal(stage, reached[^1]);
        Assert.Equal(before, OracleEnvironment.OracleNamespaces());
        Assert.Empty(AgentsOf(Environment.ProcessId));
    }

    [OracleFact]
    public void Interrupting_the_cli_with_sigint_removes_its_namespaces_and_agents()
    {
        var spec = Path.Combine(OracleEnvironment.Root, "specs/seed/thief-first.yaml");
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "natverify"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["oracle", spec, "--runs", "500", "--seed", "9"])
        {
            info.ArgumentList.Add(argument);
        }

        using var child = Process.Start(info)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var prefix = $"{Netns.Prefix}{child.Id}-";
        try
        {
            // Wait until a run is under way: its namespaces exist and its agents run.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60)
                && !(Netns.List().Any(n => n.StartsWith(prefix, StringComparison.Ordinal)) && AgentsOf(child.Id).Count > 0))
            {
                if (child.HasExited)
                {
                    Assert.Fail($"natverify exited early with {child.ExitCode}: {stderr.Result}");
                }

                Thread.Sleep(20);
            }

            Assert.NotEmpty(AgentsOf(child.Id));
            using (var kill = Process.Start("kill", ["-INT", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            Assert.True(child.WaitForExit(30_000), "natverify did not stop within 30 s of SIGINT");
            Assert.Equal(3, child.ExitCode);
            Assert.Contains("interrupted", stderr.Result, StringComparison.Ordinal);
            Assert.DoesNotContain(Netns.List(), n => n.StartsWith(prefix, StringComparison.Ordinal));
            Assert.Empty(AgentsOf(child.Id));
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }

            _ = stdout;
        }
    }

    [OracleFact]
    public void Namespaces_of_a_creator_that_died_are_collected_and_live_ones_are_not()
    {
        var dead = Enumerable.Range(100_000, 1_000_000).First(pid => !Directory.Exists($"/proc/{pid}"));
        var orphan = $"{Netns.Prefix}{dead}-dead1-nat";
        var mine = $"{Netns.Prefix}{Environment.ProcessId}-live1-nat";
        try
        {
            Netns.Add(orphan);
            Netns.Add(mine);
            var deleted = Netns.DeleteStale();
            Assert.Contains(orphan, deleted);
            Assert.DoesNotContain(orphan, Netns.List());
            Assert.Contains(mine, Netns.List());
        }
        finally
        {
            Netns.Delete(orphan);
            Netns.Delete(mine);
        }
    }

    [Fact]
    public void Namespace_comparisons_count_only_this_processs_own_namespaces()
    {
        // Another test process (pid 123) creating or deleting its namespaces mid-test must not change what a
        // before/after comparison of process 12 sees; "nvo-123-" must not pass for "nvo-12-".
        var names = new[] { "nvo-123-0abcd-nat", "nvo-12-1f00d-nat", "nvo-12-1f00d-peer", "nvo-1-00000-nat", "other-12-x" };
        Assert.Equal(["nvo-12-1f00d-nat", "nvo-12-1f00d-peer"], OracleEnvironment.OwnedBy(names, 12));
    }

    /// <summary>Agent processes started by the given oracle process (their run id starts with its namespace prefix).</summary>
    private static IReadOnlyList<int> AgentsOf(int pid) => OracleEnvironment.ProcessesMentioning($"--run-id {Netns.Prefix}{pid}-");

    private sealed class InjectedFailure(string stage) : Exception(stage);
}
