using NatVerify.Checker;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Reporting;
using NatVerify.Specs;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>
/// Traces name, for every base chain a packet met, the rule or policy that ended its walk (<c>ipt_do_table</c> /
/// <c>nft_do_chain</c>): an ACCEPT rule with its location, the chain's policy when no rule decided, and a NAT target
/// reached through a jump and a RETURN with that path. Each spec has one flow, so its one witness is the run.
/// </summary>
public class ChainDeciderTests
{
    private const string SpecPath = "tests/decider.yaml";

    private const string Chains = """
          *nat
          :PREROUTING ACCEPT [0:0]
          :INPUT ACCEPT [0:0]
          :OUTPUT ACCEPT [0:0]
          :POSTROUTING ACCEPT [0:0]
        """;

    private static string Spec(string ruleset) => $"""
        name: decider
        description: one flow through the nat table
        profile: linux-6.12
        interfaces:
          veth0: 198.51.100.1
        ruleset: |
        {ruleset}
        actors:
          - name: client
            flow: 198.51.100.1:40000 -> 198.51.100.2:80
        """;

    private static (TraceFile File, TraceView View, string Text) Run(string ruleset)
    {
        var yaml = Spec(ruleset);
        var spec = SpecLoader.Parse(yaml, SpecPath);
        var settings = new CheckSettings();
        var result = Verifier.Check(spec, settings);
        var witness = Assert.Single(result.Outcomes.Joint).Witness;
        var file = TraceRecorder.RecordWitness(Repo.Source(spec, yaml, SpecPath, result, settings), witness);
        var view = new TraceViewBuilder(result.Semantics).Build(witness, file);
        return (file, view, string.Join("\n", TraceRenderer.RenderSteps(view)));
    }

    private static int LineOf(string text, string needle) =>
        Array.FindIndex(text.Split('\n'), l => l.Contains(needle, StringComparison.Ordinal)) + 1;

    [Fact]
    public void An_iptables_ACCEPT_in_the_nat_table_is_named_with_its_location_not_as_no_rule_matched()
    {
        var (file, view, text) = Run(Chains + """

              -A POSTROUTING -d 198.51.100.2/32 -p tcp -j ACCEPT
              -A POSTROUTING -p tcp -j MASQUERADE
              COMMIT
            """);

        var accept = Assert.Single(view.Steps.SelectMany(s => s.Rules), r => r.Verdict == "ACCEPT");
        Assert.Equal("nat/POSTROUTING#1", accept.Name);
        Assert.Equal("POSTROUTING nat/POSTROUTING", accept.Chain);
        var line = LineOf(Spec(string.Empty), "ruleset: |") + LineOf(Chains, ":POSTROUTING") + 1;
        Assert.StartsWith($"{SpecPath}:{line}:", accept.Location, StringComparison.Ordinal);
        Assert.Contains($"  rule:    decided: POSTROUTING nat/POSTROUTING: ACCEPT by nat/POSTROUTING#1 `{accept.Text}` at {accept.Location}", text, StringComparison.Ordinal);
        Assert.Contains("POSTROUTING rule `-A POSTROUTING -d 198.51.100.2/32 -p tcp -j ACCEPT` ACCEPTs: SRC null binding", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no rule matched", view.Steps.Single(s => s.Headline.Contains("SRC null binding", StringComparison.Ordinal)).Headline, StringComparison.Ordinal);

        // The trace file records the same, at the rule's line in the embedded spec text.
        var recorded = Assert.Single(file.Steps.SelectMany(s => s.Rules), r => r.Verdict == "ACCEPT");
        Assert.Equal(("decided", "nat/POSTROUTING#1", "POSTROUTING", "nat/POSTROUTING"), (recorded.Role, recorded.Name, recorded.Hook, recorded.Chain));
        Assert.Equal(LineOf(file.Spec.Text, "-j ACCEPT"), recorded.Line);
    }

    [Fact]
    public void A_packet_no_rule_decided_names_the_base_chain_and_its_policy_at_the_chain_declaration()
    {
        var (_, view, text) = Run(Chains + """

              -A POSTROUTING -d 203.0.113.9/32 -p tcp -j MASQUERADE
              COMMIT
            """);

        var rules = view.Steps.SelectMany(s => s.Rules).ToList();
        var output = Assert.Single(rules, r => r.Chain == "OUTPUT nat/OUTPUT");
        var post = Assert.Single(rules, r => r.Chain == "POSTROUTING nat/POSTROUTING");
        Assert.Equal(("policy ACCEPT", "nat/POSTROUTING#policy", "policy accept"), (post.Verdict, post.Name, post.Text));
        Assert.Equal("policy ACCEPT", output.Verdict);
        var line = LineOf(Spec(string.Empty), "ruleset: |") + LineOf(Chains, ":POSTROUTING");
        Assert.StartsWith($"{SpecPath}:{line}:", post.Location, StringComparison.Ordinal);
        Assert.Contains("decided: POSTROUTING nat/POSTROUTING: policy ACCEPT (no rule matched) by nat/POSTROUTING#policy `policy accept` at ", text, StringComparison.Ordinal);
        Assert.Contains("POSTROUTING no rule matched: SRC null binding", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_RETURN_is_on_the_path_and_the_rule_after_it_decides_and_a_RETURN_in_a_base_chain_applies_the_policy()
    {
        var (file, view, _) = Run(Chains + """

              :SVC - [0:0]
              -A OUTPUT -p tcp -j RETURN
              -A OUTPUT -p tcp -j DNAT --to-destination 203.0.113.5
              -A POSTROUTING -j SVC
              -A POSTROUTING -p tcp -j MASQUERADE --to-ports 30000-30001
              -A SVC -d 198.51.100.2/32 -j RETURN
              -A SVC -p tcp -j SNAT --to-source 198.51.100.1:20000
              COMMIT
            """);

        var rules = view.Steps.SelectMany(s => s.Rules).ToList();
        var output = Assert.Single(rules, r => r.Chain == "OUTPUT nat/OUTPUT");
        Assert.Equal(("policy ACCEPT", "nat/OUTPUT#policy"), (output.Verdict, output.Name));
        Assert.Equal(["nat/OUTPUT#1"], output.Path);
        Assert.Contains("(no rule decided)", output.ToString(), StringComparison.Ordinal);

        var post = Assert.Single(rules, r => r.Chain == "POSTROUTING nat/POSTROUTING");
        Assert.Equal(("NAT", "nat/POSTROUTING#2"), (post.Verdict, post.Name));
        Assert.Equal(["nat/POSTROUTING#1", "nat/SVC#1"], post.Path);
        Assert.EndsWith(" via nat/POSTROUTING#1, nat/SVC#1", post.ToString(), StringComparison.Ordinal);

        var recorded = Assert.Single(file.Steps.SelectMany(s => s.Rules), r => r.Verdict == "NAT");
        Assert.Equal(["nat/POSTROUTING#1", "nat/SVC#1"], recorded.Path);
        var read = TraceJson.Read(TraceJson.Write(file), "t.json");
        Assert.Equal(file.Steps.SelectMany(s => s.Rules), read.Steps.SelectMany(s => s.Rules));
    }

    [Fact]
    public void An_nft_accept_in_a_nat_chain_is_named_with_its_location_and_handle()
    {
        var (file, view, text) = Run("""
              table ip t {
                chain post {
                  type nat hook postrouting priority srcnat; policy accept;
                  ip daddr 198.51.100.2 accept # handle 7
                  meta l4proto tcp masquerade
                }
              }
            """);

        var accept = Assert.Single(view.Steps.SelectMany(s => s.Rules), r => r.Verdict == "ACCEPT");
        Assert.Equal(("t/post#1", "POSTROUTING t/post"), (accept.Name, accept.Chain));
        var line = LineOf(Spec(string.Empty), "ruleset: |") + 4;
        Assert.StartsWith($"{SpecPath}:{line}:", accept.Location, StringComparison.Ordinal);
        Assert.EndsWith("(handle 7)", accept.Location, StringComparison.Ordinal);
        // OUTPUT has no nat chain at all (nothing decided there); at POSTROUTING the accept rule decided.
        var src = Assert.Single(view.Steps, s => s.Headline.Contains("SRC null binding", StringComparison.Ordinal));
        Assert.Contains($"POSTROUTING rule `{accept.Text}` ACCEPTs: SRC null binding", src.Headline, StringComparison.Ordinal);
        Assert.StartsWith("ip daddr 198.51.100.2 accept", accept.Text, StringComparison.Ordinal);
        Assert.Contains($"decided: POSTROUTING t/post: ACCEPT by t/post#1 `{accept.Text}` at {accept.Location}", text, StringComparison.Ordinal);
        Assert.Equal(7, Assert.Single(file.Steps.SelectMany(s => s.Rules), r => r.Verdict == "ACCEPT").Handle);
    }

    [Fact]
    public void Traced_successors_are_the_search_successors_in_the_same_order_with_only_the_chain_decisions_added()
    {
        // A random match makes the walk branch: two ACCEPTs with one effect are one successor, naming both rules.
        var yaml = Spec(Chains + """

              -A POSTROUTING -m statistic --mode random --probability 0.5 -j ACCEPT
              -A POSTROUTING -d 198.51.100.2/32 -j ACCEPT
              -A POSTROUTING -p tcp -j MASQUERADE
              COMMIT
            """);
        var semantics = Verifier.Check(SpecLoader.Parse(yaml, SpecPath), new CheckSettings()).Semantics;
        var state = semantics.Initial;
        var names = new List<string>();
        while (true)
        {
            var search = new List<(NatStep Step, NatState Next)>();
            var traced = new List<(NatStep Step, NatState Next)>();
            semantics.Successors(state, search, diagnostics: false);
            semantics.Successors(state, traced, diagnostics: true);
            Assert.Equal(search.Select(s => s.Next), traced.Select(s => s.Next));
            Assert.All(search, s => Assert.DoesNotContain(TraceRecorder.DecidingRules(s.Step), r => r.Decision is not null));
            if (traced.Count == 0)
            {
                break;
            }

            names.AddRange(TraceRecorder.DecidingRules(traced[0].Step).Select(r => r.Rule.Name));
            state = traced[0].Next;
        }

        Assert.Contains("nat/POSTROUTING#1", names);
        Assert.Contains("nat/POSTROUTING#2", names);
    }
}
