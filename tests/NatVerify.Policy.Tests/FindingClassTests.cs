using NatVerify.Model.Addressing;
using NatVerify.Specs;
using NatVerify.Verification;
using static NatVerify.Policy.Tests.PolicyTestKit;

namespace NatVerify.Policy.Tests;

/// <summary>Each finding class on dumped rulesets that must and must not produce it (docs/policy.md).</summary>
public sealed class FindingClassTests
{
    [Fact]
    public void FixedPort_is_reported_for_the_seed_mark_based_single_port_snat()
    {
        var report = Analyze("fixed-port");
        var f = Assert.Single(report.Of(FindingClass.FixedPort));
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains("--to-source 198.51.100.1:12345", f.Rules[0].Text);
        Assert.Contains("insert_failed", f.Message);
        Assert.NotNull(f.WitnessSpec);
    }

    [Fact]
    public void FixedPort_names_a_local_socket_bound_to_the_fixed_port()
    {
        var report = Analyze("fixed-port", Host(sockets: [new LocalSocket(L4Protocol.Tcp, Ipv4.Parse("0.0.0.0"), 12345, false, "client")]));
        Assert.Contains("(client)", Assert.Single(report.Of(FindingClass.FixedPort)).Message);
    }

    [Fact]
    public void FixedPort_is_not_reported_for_a_dnat_to_one_address_and_port()
    {
        var report = Analyze("dnat-single");
        Assert.Empty(report.Of(FindingClass.FixedPort));
        Assert.Empty(report.Of(FindingClass.Capacity));
    }

    [Fact]
    public void Capacity_warns_on_a_small_explicit_pool_and_notes_a_large_class_pool()
    {
        var report = Analyze("small-pool");
        var caps = report.Of(FindingClass.Capacity);
        Assert.Equal(2, caps.Count);
        var small = caps.Single(c => c.Rules[0].Text.Contains("40000-40099", StringComparison.Ordinal));
        Assert.Equal(Severity.Warning, small.Severity);
        Assert.Equal(2, small.Numbers["addresses"]);
        Assert.Equal(100, small.Numbers["ports"]);
        Assert.Equal(200, small.Numbers["flowsPerDestination"]);
        Assert.Equal(100, small.Numbers["flowsPerHostPerDestination"]);
        var masq = caps.Single(c => c.Rules[0].Text.Contains("MASQUERADE", StringComparison.Ordinal));
        Assert.Equal(Severity.Note, masq.Severity);
        Assert.Equal(64512, masq.Numbers["ports"]);
        Assert.Equal(511, masq.Numbers["portsClass1-511"]);
        Assert.Equal(424, masq.Numbers["portsClass600-1023"]);
        Assert.True(masq.Numbers.ContainsKey("portlessFlowsPerDestination"));
        Assert.Contains("GRE", masq.Message);
        Assert.Contains("nf_nat_used_tuple_harder", masq.ConsequenceByProfile["linux-6.12"]);
        Assert.Contains("whole range", masq.ConsequenceByProfile["linux-4.19"]);
    }

    [Fact]
    public void Capacity_threshold_is_configurable()
    {
        var report = Analyze("small-pool", options: new PolicyOptions { CapacityThreshold = 50 });
        Assert.All(report.Of(FindingClass.Capacity), c => Assert.Equal(Severity.Note, c.Severity));
    }

    [Fact]
    public void Overlapping_snat_pools_are_not_collisions()
    {
        var report = Analyze("overlapping-pools");
        Assert.Empty(report.Of(FindingClass.Collision));
        Assert.Empty(report.Of(FindingClass.ShadowedRule));
        Assert.Equal(2, report.Of(FindingClass.Capacity).Count);
    }

    [Fact]
    public void ShadowedRule_finds_identical_union_covered_and_exempted_rules_and_names_the_covering_rules()
    {
        var report = Analyze("dead-rules");
        var shadowed = report.Of(FindingClass.ShadowedRule);
        Assert.Equal(3, shadowed.Count);
        var identical = shadowed.Single(f => f.Rules[0].Text.Contains("--dport 2222", StringComparison.Ordinal));
        Assert.Equal(identical.Rules[1].Text, identical.Rules[0].Text);
        Assert.Equal(identical.Rules[0].Line - 1, identical.Rules[1].Line);
        var union = shadowed.Single(f => f.Rules[0].Text.Contains("1200:1800", StringComparison.Ordinal));
        Assert.Contains("-p tcp", union.Rules[0].Text);
        Assert.Equal(2, union.Rules.Count - 1);
        Assert.Contains(union.Rules, r => r.Text.Contains("1000:1500", StringComparison.Ordinal));
        Assert.Contains(union.Rules, r => r.Text.Contains("1501:2000", StringComparison.Ordinal));
        var exempt = shadowed.Single(f => f.Rules[0].Text.Contains("-j SNAT", StringComparison.Ordinal));
        Assert.Contains(exempt.Rules, r => r.Text.Contains("-j ACCEPT", StringComparison.Ordinal));
    }

    [Fact]
    public void ShadowedRule_is_not_reported_for_partial_overlap_or_another_protocol()
    {
        var report = Analyze("dead-rules");
        var shadowed = report.Of(FindingClass.ShadowedRule).Select(f => f.Rules[0].Text).ToList();
        Assert.DoesNotContain(shadowed, t => t.Contains("1900:2100", StringComparison.Ordinal));
        Assert.DoesNotContain(shadowed, t => t.Contains("-p udp", StringComparison.Ordinal));
        Assert.DoesNotContain(shadowed, t => t.Contains("MASQUERADE", StringComparison.Ordinal));
    }

    [Fact]
    public void ShadowedRule_is_not_reported_for_the_last_endpoint_of_a_probability_chain()
    {
        var report = Analyze("udp-race");
        Assert.Empty(report.Of(FindingClass.ShadowedRule));
    }

    [Fact]
    public void Collision_is_reported_for_two_port_forwards_onto_one_backend()
    {
        var report = Analyze("home-router");
        var f = Assert.Single(report.Of(FindingClass.Collision));
        Assert.Contains(f.Rules, r => r.Text.Contains("--dport 2222", StringComparison.Ordinal));
        Assert.Contains(f.Rules, r => r.Text.Contains("--dport 22 ", StringComparison.Ordinal));
        Assert.NotNull(f.WitnessSpec);
    }

    [Fact]
    public void Collision_is_reported_for_two_services_sharing_an_endpoint_but_not_for_endpoints_of_one_service()
    {
        var report = Analyze("udp-race");
        var f = Assert.Single(report.Of(FindingClass.Collision));
        Assert.Equal(["KUBE-SEP-DNS1", "KUBE-SEP-ONE1"], f.Rules.Select(r => r.Chain).Order());
        Assert.All(f.Rules, r => Assert.Contains("10.244.1.5:53", r.Text));
    }

    [Fact]
    public void UdpRace_is_reported_for_a_udp_service_with_two_random_backends_only()
    {
        var report = Analyze("udp-race");
        var f = Assert.Single(report.Of(FindingClass.UdpRace));
        Assert.Equal(2, f.Rules.Count);
        Assert.All(f.Rules, r => Assert.Contains("-p udp", r.Text));
        Assert.Equal(["KUBE-SEP-DNS1", "KUBE-SEP-DNS2"], f.Rules.Select(r => r.Chain).Order());
        Assert.Contains("insert_failed", f.ConsequenceByProfile["linux-4.19"]);
        Assert.Contains("clash_resolve", f.ConsequenceByProfile["linux-6.12"]);
    }

    [Fact]
    public void PortShadowing_names_exposed_and_unexposed_listeners()
    {
        var sockets = new[]
        {
            new LocalSocket(L4Protocol.Udp, Ipv4.Parse("0.0.0.0"), 1194, true, "openvpn"),
            new LocalSocket(L4Protocol.Tcp, Ipv4.Parse("198.51.100.1"), 443, true, "nginx"),
            new LocalSocket(L4Protocol.Tcp, Ipv4.Parse("192.0.2.1"), 22, true, "sshd"),
        };
        var report = Analyze("masquerade", Host(sockets: sockets));
        var f = Assert.Single(report.Of(FindingClass.PortShadowing));
        Assert.Contains("openvpn", f.Message);
        Assert.Contains("nginx", f.Message);
        Assert.Contains("Not exposed", f.Message);
        Assert.Contains("sshd", f.Message[f.Message.IndexOf("Not exposed", StringComparison.Ordinal)..]);
        Assert.NotNull(f.WitnessSpec);
    }

    [Fact]
    public void PortShadowing_is_not_reported_for_a_random_port_range_mitigation_or_without_listeners()
    {
        var sockets = new[] { new LocalSocket(L4Protocol.Udp, Ipv4.Parse("0.0.0.0"), 1194, true, "openvpn") };
        Assert.Empty(Analyze("masquerade-mitigated", Host(sockets: sockets)).Of(FindingClass.PortShadowing));
        Assert.Empty(Analyze("masquerade").Of(FindingClass.PortShadowing));
    }

    [Fact]
    public void Every_witness_reproduces_under_the_engine_and_is_written_to_the_witness_dir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nvp-witness-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sockets = new[] { new LocalSocket(L4Protocol.Udp, Ipv4.Parse("0.0.0.0"), 1194, true, "openvpn") };
            var options = new PolicyOptions { WitnessDir = dir };
            var findings = new[] { "fixed-port", "home-router", "udp-race" }.SelectMany(n => Analyze(n, options: options).Findings)
                .Concat(Analyze("masquerade", Host(sockets: sockets), options).Findings)
                .Where(f => f.WitnessSpec is not null).ToList();
            Assert.Equal(
                [FindingClass.FixedPort, FindingClass.Collision, FindingClass.PortShadowing, FindingClass.UdpRace],
                findings.Select(f => f.Class).Distinct().Order());
            foreach (var f in findings)
            {
                Assert.NotNull(f.WitnessPath);
                var spec = SpecLoader.LoadFile(f.WitnessPath!);
                var result = Verifier.Check(spec, new CheckSettings());
                Assert.True(result.Exhaustive);
                Assert.Empty(result.ExpectationFailures);
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
