using NatVerify.Reporting;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>
/// Exported kernel scripts for the seed traces run on this machine's kernel (as root, in private namespaces) and the
/// kernel shows the outcome the trace predicts. The race traces need the clashing entry inside the client's
/// create→confirm window; their scripts say so and run the observable equivalent (the entry first).
/// </summary>
public class KernelScriptTests
{
    [Fact]
    public void A_race_trace_script_names_the_race_and_runs_the_clashing_entry_first()
    {
        var (file, _, _) = Repo.Witness("specs/seed/race-ctnetlink.yaml");
        var script = KernelScript.Export(TraceReplayer.Replay(file, "w.json"));
        Assert.Contains("# RACE: the trace runs insert inside client's create->confirm window", script, StringComparison.Ordinal);
        Assert.Contains("so it runs insert before client starts.", script, StringComparison.Ordinal);
        Assert.True(script.IndexOf("if nv_in conntrack '-I'", StringComparison.Ordinal) < script.IndexOf("nv_flow \"$NV_HOST\" tcp 198.51.100.1 12345", StringComparison.Ordinal));
        Assert.Contains("# The model shows the same outcomes for this order as for the trace", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("specs/oracle/ctnetlink-no-nat.yaml", "| nv_in iptables-restore")]
    [InlineData("specs/oracle/ctnetlink-no-nat-nft.yaml", "| nv_in nft -f -")]
    [InlineData("specs/oracle/ctnetlink-no-nat-nft-json.yaml", "| nv_in nft -j -f -")]
    public void The_ruleset_is_loaded_by_the_tool_of_its_notation(string spec, string loader)
    {
        var (file, _, _) = Repo.Witness(spec);
        var script = KernelScript.Export(TraceReplayer.Replay(file, "w.json"));
        Assert.Contains(loader, script, StringComparison.Ordinal);
        Assert.Equal(loader.Contains("nft", StringComparison.Ordinal), script.Contains("nv_need nft nftables", StringComparison.Ordinal));
    }

    [Fact]
    public void A_spec_outside_the_documentation_ranges_cannot_be_exported()
    {
        var (spec, text) = Repo.Load("specs/seed/client-first.yaml");
        var outside = Specs.SpecLoader.Parse(text.Replace("198.51.100.2", "10.0.0.2", StringComparison.Ordinal), "outside.yaml");
        var result = Verification.Verifier.Check(outside, new Verification.CheckSettings());
        var file = TraceRecorder.RecordWitness(Repo.Source(outside, text, "outside.yaml", result, new Verification.CheckSettings()), result.Outcomes.Joint[0].Witness);
        var replay = TraceReplayer.Replay(file, "w.json", new ReplayOptions { Spec = outside });
        var e = Assert.Throws<KernelScriptException>(() => KernelScript.Export(replay));
        Assert.Contains("10.0.0.2, outside 198.51.100.0/24, 203.0.113.0/24 and 192.0.2.0/24", e.Message, StringComparison.Ordinal);
    }

    [ToolFact(true, "bash", "ip", "iptables-restore", "conntrack", "socat", "timeout")]
    public void Exported_scripts_for_the_seed_traces_reproduce_their_outcomes_on_the_running_kernel()
    {
        var dir = Repo.TempDir();
        var prefix = "nvh-" + Guid.NewGuid().ToString("N")[..8]; // only this test's namespaces are looked at
        try
        {
            foreach (var seed in new[] { "thief-first", "client-first", "race-thief", "race-ctnetlink" })
            {
                var (file, _, _) = Repo.Witness($"specs/seed/{seed}.yaml");
                var script = Path.Combine(dir, $"{seed}.sh");
                File.WriteAllText(script, KernelScript.Export(TraceReplayer.Replay(file, $"{seed}.json")));

                var (code, output, err) = Tools.Run("bash", [script], TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["NATVERIFY"] = string.Empty, ["NV_PREFIX"] = prefix });

                Assert.True(code == 0, $"{seed}: script exited {code}\n{output}\n{err}");
                Assert.Contains("RESULT: the kernel agrees with the model", output, StringComparison.Ordinal);
                Assert.DoesNotContain("FAIL ", output, StringComparison.Ordinal);
                Assert.Contains("PASS client", output, StringComparison.Ordinal);
            }

            // The same script drives flows with the natverify agent (real SO_MARK and bind) when NATVERIFY names it.
            var agent = Path.Combine(AppContext.BaseDirectory, "natverify");
            if (File.Exists(agent))
            {
                var (code, output, err) = Tools.Run("bash", [Path.Combine(dir, "race-thief.sh")], TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["NATVERIFY"] = agent, ["NV_PREFIX"] = prefix });
                Assert.True(code == 0, $"race-thief with the agent: script exited {code}\n{output}\n{err}");
                Assert.Contains($"flows are driven by '{agent} agent'", output, StringComparison.Ordinal);
            }

            var leftovers = Tools.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).Out;
            Assert.DoesNotContain(prefix, leftovers, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_address_of_a_multi_address_interface_is_put_on_it_in_the_spec_order_with_its_prefix()
    {
        var (file, _, _) = Repo.Witness("specs/rules/masquerade-on-link-address.yaml");
        var script = KernelScript.Export(TraceReplayer.Replay(file, "w.json"));
        var first = script.IndexOf("nv_in ip addr add 198.51.100.1/24 dev veth0", StringComparison.Ordinal);
        var second = script.IndexOf("nv_in ip addr add 203.0.113.1/24 dev veth0", StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first, script);

        // Both destinations are on-link through one of the two subnets: no host route is needed for either.
        Assert.DoesNotContain("ip route replace 203.0.113.2/32", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ip route replace 198.51.100.2/32", script, StringComparison.Ordinal);
    }

    [ToolFact(true, "bash", "ip", "iptables-restore", "conntrack", "socat", "timeout")]
    public void The_multi_address_script_shows_masquerade_picking_the_on_link_address_on_the_running_kernel()
    {
        var dir = Repo.TempDir();
        var prefix = "nvh-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (file, _, _) = Repo.Witness("specs/rules/masquerade-on-link-address.yaml");
            var script = Path.Combine(dir, "multi.sh");
            File.WriteAllText(script, KernelScript.Export(TraceReplayer.Replay(file, "multi.json")));
            var (code, output, err) = Tools.Run("bash", [script], TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["NATVERIFY"] = string.Empty, ["NV_PREFIX"] = prefix });
            Assert.True(code == 0, $"script exited {code}\n{output}\n{err}");
            Assert.Contains("RESULT: the kernel agrees with the model", output, StringComparison.Ordinal);

            // The model's prediction the script compared against names the second address as far's reply destination.
            Assert.Contains("dst=203.0.113.1", output, StringComparison.Ordinal);
            Assert.DoesNotContain(prefix, Tools.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
