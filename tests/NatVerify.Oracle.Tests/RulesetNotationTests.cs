using NatVerify.Oracle.Kernel;
using NatVerify.Oracle.Model;
using NatVerify.Specs;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// One policy written as iptables-save, as nft text and as nft JSON: the model reads the same outcome set from each,
/// and the kernel, loaded with <c>iptables-restore</c>, <c>nft -f -</c> or <c>nft -j -f -</c>, does the same thing.
/// </summary>
[Collection(KernelCollection.Name)]
public class RulesetNotationTests(ITestOutputHelper output)
{
    private static readonly string[] NoNatForms =
    [
        "specs/oracle/ctnetlink-no-nat.yaml", "specs/oracle/ctnetlink-no-nat-nft.yaml", "specs/oracle/ctnetlink-no-nat-nft-json.yaml",
    ];

    [Theory]
    [InlineData("*filter\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n", "iptables-restore", "")]
    [InlineData("table ip filter {\n}\n", "nft", "-f -")]
    [InlineData("flush ruleset\ntable ip nat {\n}\n", "nft", "-f -")]
    [InlineData("{\"nftables\": []}", "nft", "-j -f -")]
    public void Ruleset_is_loaded_by_the_tool_of_the_notation_the_reader_detected(string text, string tool, string arguments)
    {
        var (t, _, args) = KernelRulesetLoader.Command(text);
        Assert.Equal(tool, t);
        Assert.Equal(arguments, string.Join(' ', args));
    }

    [Fact]
    public void Same_policy_as_iptables_save_nft_text_and_nft_json_has_the_same_outcome_set_in_the_model()
    {
        var sets = NoNatForms.Select(f => OutcomeSet(OracleEnvironment.Load(f))).ToList();
        Assert.Equal(["client:dropped insert:inserted"], sets[0]);
        Assert.All(sets, s => Assert.Equal(sets[0], s));
    }

    /// <summary>
    /// The seed's thief-first policy (an SNAT statement) in the three notations. Until the model evaluates nft nat
    /// chains the spec reader refuses the nft forms with a located "not interpreted by the model yet" error; from then
    /// on this test requires the three outcome sets to be equal.
    /// </summary>
    [Fact]
    public void Same_nat_policy_in_the_three_notations_has_the_same_outcome_set_once_nft_nat_chains_are_read()
    {
        const string iptables = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
            COMMIT
            """;
        const string nft = """
            table ip nat {
            	chain POSTROUTING {
            		type nat hook postrouting priority srcnat; policy accept;
            		meta l4proto tcp meta mark 0x00000064 snat to 198.51.100.1:12345
            	}
            }
            """;
        const string json = """
            {"nftables": [{"table": {"family": "ip", "name": "nat", "handle": 1}}, {"chain": {"family": "ip", "table": "nat", "name": "POSTROUTING", "handle": 1, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}}, {"rule": {"family": "ip", "table": "nat", "chain": "POSTROUTING", "handle": 2, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}}, {"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 100}}, {"snat": {"addr": "198.51.100.1", "port": 12345}}]}}]}
            """;
        var reference = OutcomeSet(ThiefFirst(iptables));
        Assert.Equal(["client:rewritten:1024-65535 thief:nat"], reference);
        foreach (var ruleset in new[] { nft, json })
        {
            ScenarioSpec spec;
            try
            {
                spec = ThiefFirst(ruleset);
            }
            catch (SpecException e) when (e.Message.Contains("not interpreted by the model yet", StringComparison.Ordinal))
            {
                output.WriteLine($"nft nat chains not evaluated yet on this branch: {e.Message}");
                continue;
            }

            Assert.Equal(reference, OutcomeSet(spec));
        }
    }

    // Long: three oracle runs (about 17 s); the corpus test runs each of the three specs on the kernel as well.
    [OracleFact]
    [Trait("Category", "Long")]
    public void Kernel_does_the_same_whether_the_policy_is_loaded_with_iptables_restore_nft_or_nft_json()
    {
        Netns.DeleteStale();
        var observed = new List<string>();
        foreach (var file in NoNatForms)
        {
            var report = OracleRunner.Run(OracleEnvironment.Load(file), new OracleOptions { Agent = OracleEnvironment.Agent, Runs = 1, Seed = 11 });
            var text = new StringWriter();
            OracleReportWriter.Write(report, text, verbose: true);
            output.WriteLine(text.ToString());
            Assert.True(report.AllAgree, text.ToString());
            var run = Assert.Single(report.Runs);
            observed.Add(string.Join(" ", run.Comparison.Closest!.Outcomes.Select(o => o.ToString())) + $" insert_failed={run.Observation.Counters["insert_failed"]}");
        }

        Assert.All(observed, o => Assert.Equal(observed[0], o));
    }

    private static ScenarioSpec ThiefFirst(string ruleset) => SpecLoader.Parse(
        "name: thief-first-notation\n"
        + "description: the seed's thief-first in one notation\n"
        + "interfaces:\n  veth0: 198.51.100.1\n"
        + "ruleset: |\n" + string.Concat(ruleset.Split('\n').Select(l => "  " + l + "\n"))
        + "actors:\n"
        + "  - name: thief\n    flow: 198.51.100.1:54321 -> 198.51.100.2:80\n    mark: 0x64\n"
        + "  - name: client\n    flow: 198.51.100.1:12345 -> 198.51.100.2:80\n"
        + "schedule: sequential\n",
        "thief-first-notation.yaml");

    private static List<string> OutcomeSet(ScenarioSpec spec) =>
        ModelPredictions.Compute(spec).Predictions
            .Select(p => string.Join(" ", p.Outcomes.Select((o, i) => $"{spec.Model.Actors[i].Name}:{o}").Order(StringComparer.Ordinal)))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
}
