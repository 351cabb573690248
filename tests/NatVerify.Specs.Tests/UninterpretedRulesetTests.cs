namespace NatVerify.Specs.Tests;

/// <summary>
/// Rules the parser reads but the semantics does not interpret yet are refused at their location (exit 2), never
/// ignored; rules that change nothing conntrack or NAT does are accepted.
/// </summary>
public class UninterpretedRulesetTests
{
    private static string Spec(string ruleset) =>
        "name: t\ndescription: d\ninterfaces:\n  veth0: 198.51.100.1\nruleset: |\n"
        + string.Concat(ruleset.Split('\n').Select(l => "  " + l + "\n"))
        + "actors:\n  - name: a\n    flow: 198.51.100.1:40000 -> 198.51.100.2:80\n";

    [Fact]
    public void Filter_drop_before_confirm_is_refused_at_its_rule()
    {
        SpecAssert.Fails(() => SpecLoader.Parse(Spec("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j DROP\nCOMMIT"), "s.yaml"),
            8, 3, "-j DROP is parsed but not interpreted by the model yet");
    }

    [Fact]
    public void Raw_notrack_is_refused_at_its_rule()
    {
        SpecAssert.Fails(() => SpecLoader.Parse(Spec("*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j CT --notrack\nCOMMIT"), "s.yaml"),
            8, 3, "notrack (-j CT --notrack / -j NOTRACK) is parsed but not interpreted");
    }

    [Fact]
    public void Mangle_mark_that_a_nat_rule_reads_is_refused()
    {
        var ruleset = "*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n*nat\n"
            + "-A POSTROUTING -m mark --mark 0x1 -j MASQUERADE\nCOMMIT";
        SpecAssert.Fails(() => SpecLoader.Parse(Spec(ruleset), "s.yaml"), 8, 3, "-j MARK is parsed but not interpreted");
    }

    [Fact]
    public void Drop_policy_is_refused_at_its_chain_declaration()
    {
        SpecAssert.Fails(() => SpecLoader.Parse(Spec("*filter\n:FORWARD DROP [0:0]\nCOMMIT"), "s.yaml"),
            7, 3, "policy DROP of iptables filter FORWARD is parsed but not interpreted");
    }

    [Fact]
    public void Connmark_save_that_nothing_reads_and_filter_accepts_are_accepted()
    {
        var ruleset = "*mangle\n-A POSTROUTING -j CONNMARK --save-mark\nCOMMIT\n*filter\n"
            + "-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A OUTPUT -j LOG\nCOMMIT";
        var spec = SpecLoader.Parse(Spec(ruleset), "s.yaml");
        Assert.Equal(2, spec.Model.Ruleset.Tables.Count);
    }
}
