namespace NatVerify.Policy.Tests;

/// <summary>
/// Tables are composed along the packet's way: a nat rule whose packets a filter chain drops, or raw untracks, before
/// it is not a NAT finding of its own (Fixtures/src/filtered-snat.rules: three fixed-port SNATs; filter FORWARD's DROP
/// policy lets only tcp/443 and udp/5060 through; raw untracks udp/5060).
/// </summary>
public sealed class CompositionTests
{
    private static readonly PolicyReport Report = PolicyTestKit.Analyze("filtered-snat");

    private static int LineOf(string text) =>
        File.ReadAllLines(PolicyTestKit.DumpPath("filtered-snat")).Select((l, i) => (l, i)).First(x => x.l.Contains(text, StringComparison.Ordinal)).i + 1;

    [Fact]
    public void Fixed_port_snat_whose_forwarded_traffic_filter_accepts_is_a_finding()
    {
        Assert.Contains(Report.Of(FindingClass.FixedPort), f => f.Rules[0].Line == LineOf("--to-source 198.51.100.1:5001"));
    }

    [Fact]
    public void Fixed_port_snat_whose_traffic_filter_forward_drops_is_no_fixed_port_finding_but_a_dead_rule_naming_the_policy()
    {
        var line = LineOf("--to-source 198.51.100.1:5000");
        Assert.DoesNotContain(Report.Of(FindingClass.FixedPort), f => f.Rules.Any(r => r.Line == line));
        Assert.DoesNotContain(Report.Of(FindingClass.Capacity), f => f.Rules.Any(r => r.Line == line));
        var dead = Assert.Single(Report.Of(FindingClass.ShadowedRule), f => f.Rules[0].Line == line);
        Assert.Contains(dead.Rules.Skip(1), r => r.Chain == "FORWARD" && r.Text == "policy DROP" && r.Line == LineOf(":FORWARD DROP"));
    }

    [Fact]
    public void Fixed_port_snat_of_traffic_raw_untracks_is_no_fixed_port_finding()
    {
        var line = LineOf("--to-source 198.51.100.1:5060");
        Assert.DoesNotContain(Report.Of(FindingClass.FixedPort), f => f.Rules.Any(r => r.Line == line));
        var dead = Assert.Single(Report.Of(FindingClass.ShadowedRule), f => f.Rules[0].Line == line);
        Assert.Contains(dead.Rules.Skip(1), r => r.Table == "iptables raw" && r.Text.Contains("--notrack", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_the_hosts_addresses_locally_generated_packets_keep_the_filtered_snat_reachable()
    {
        // The host's own packets skip FORWARD; with no interfaces their source could be 192.0.2.128/25, so the
        // dropped-in-FORWARD rule stays a finding and the report says why.
        var report = PolicyTestKit.Analyze("filtered-snat", new HostContext([], [], null, []));
        Assert.Contains(report.Of(FindingClass.FixedPort), f => f.Rules[0].Line == LineOf("--to-source 198.51.100.1:5000"));
        Assert.Contains(report.Assumptions, a => a.Contains("locally generated", StringComparison.Ordinal));
    }
}
