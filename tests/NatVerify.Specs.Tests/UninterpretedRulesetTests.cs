namespace NatVerify.Specs.Tests;

/// <summary>
/// Every table is interpreted now (filter drops, policies, raw notrack, marks, nft nat chains); what the semantics
/// still does not interpret is refused at its location (exit 2), never ignored.
/// </summary>
public class UninterpretedRulesetTests
{
    private static string Spec(string ruleset) =>
        "name: t\ndescription: d\ninterfaces:\n  veth0: 198.51.100.1\nruleset: |\n"
        + string.Concat(ruleset.Split('\n').Select(l => "  " + l + "\n"))
        + "actors:\n  - name: a\n    flow: 198.51.100.1:40000 -> 198.51.100.2:80\n";

    [Theory]
    [InlineData("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j DROP\nCOMMIT")]
    [InlineData("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT")]
    [InlineData("*filter\n:FORWARD DROP [0:0]\nCOMMIT")]
    [InlineData("*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j CT --notrack\nCOMMIT")]
    [InlineData("*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n*nat\n-A POSTROUTING -m mark --mark 0x1 -j MASQUERADE\nCOMMIT")]
    [InlineData("*mangle\n-A PREROUTING -j CONNMARK --restore-mark\n-A POSTROUTING -j CONNMARK --save-mark\nCOMMIT")]
    [InlineData("*nat\n-A POSTROUTING -j NETMAP --to 203.0.113.0/24\nCOMMIT")]
    [InlineData("table ip nat {\n  chain post {\n    type nat hook postrouting priority srcnat; policy accept;\n    masquerade\n  }\n}")]
    public void Constructs_that_change_conntrack_or_nat_are_interpreted_not_refused(string ruleset)
    {
        var spec = SpecLoader.Parse(Spec(ruleset), "s.yaml");
        Assert.True(spec.Model.Ruleset.ConntrackFromRules);
    }

    [Fact]
    public void Nth_statistic_is_still_refused_at_its_rule()
    {
        SpecAssert.Fails(() => SpecLoader.Parse(Spec("*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m statistic --mode nth --every 2 --packet 0 -j ACCEPT\nCOMMIT"), "s.yaml"),
            8, 3, "-m statistic --mode nth is parsed but not interpreted");
    }

    [Fact]
    public void Nth_statistic_in_the_filter_table_is_refused_too()
    {
        // Other tables are evaluated now, so their match terms get the same scrutiny as the nat table's.
        SpecAssert.Fails(() => SpecLoader.Parse(Spec("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m statistic --mode nth --every 2 --packet 0 -j DROP\nCOMMIT"), "s.yaml"),
            8, 3, "-m statistic --mode nth is parsed but not interpreted");
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
