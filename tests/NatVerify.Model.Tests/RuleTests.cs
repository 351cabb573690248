using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>Pins rule traversal (ipt_do_table for nat) and the targets' ranges, per path.</summary>
public class RuleTests
{
    private static readonly Ipv4 Public = Ipv4.Parse("203.0.113.1");
    private static readonly Ipv4 Inside = Ipv4.Parse("192.0.2.10");
    private static readonly Ipv4 Remote = Ipv4.Parse("203.0.113.50");

    private static ScenarioModel Router(NatRuleset rules, bool sequential, params Actor[] actors) =>
        new("router", rules, new Dictionary<string, Ipv4> { ["wan"] = Public, ["lan"] = Ipv4.Parse("192.0.2.1") }, actors, [], sequential);

    private static FlowActor Forwarded(string name, ConntrackTuple t) => new(name, t, 0, PacketPath.Forward, "lan", "wan");

    private static RuleMatch OutWan => new() { OutInterface = new Condition<string>("wan", false) };

    [Fact]
    public void Masquerade_maps_the_source_to_the_out_interface_address_keeping_a_free_port()
    {
        var rules = NatT([Rule(new MasqueradeTarget(null, NatRangeFlags.None), OutWan)]);
        var sem = Sem(Router(rules, true, Forwarded("a", Tcp(Inside, 40000, Remote, 443))));
        var (final, _) = RunSequential(sem);
        Assert.Equal(OutcomeKind.Nat, sem.OutcomeOf(final, 0).Kind);
        Assert.Equal(Tcp(Public, 40000, Remote, 443), final[0].Reply.Invert());
    }

    [Fact]
    public void Masquerade_of_two_hosts_with_the_same_source_port_rewrites_the_second()
    {
        var rules = NatT([Rule(new MasqueradeTarget(null, NatRangeFlags.None), OutWan)]);
        var other = Ipv4.Parse("192.0.2.11");
        var sem = Sem(Router(rules, true, Forwarded("a", Tcp(Inside, 40000, Remote, 443)), Forwarded("b", Tcp(other, 40000, Remote, 443))));
        foreach (var final in Terminals(sem))
        {
            Assert.Equal(Port.Of(40000), final[0].Reply.DstPort);
            Assert.NotEqual(Port.Of(40000), final[1].Reply.DstPort);
            Assert.Equal(Phase.Confirmed, final[1].Phase);
        }
    }

    [Fact]
    public void Two_unconfirmed_masqueraded_flows_may_pick_the_same_fresh_port_and_one_is_dropped()
    {
        // Race R4: the NAT "unique tuple" choice is not a reservation.
        var rules = NatT([Rule(new MasqueradeTarget(null, NatRangeFlags.ProtoRandomFully), OutWan)]);
        var other = Ipv4.Parse("192.0.2.11");
        var sem = Sem(Router(rules, false, Forwarded("a", Tcp(Inside, 40000, Remote, 443)), Forwarded("b", Tcp(other, 40001, Remote, 443))));
        Assert.Contains(Terminals(sem), s => s[0].Phase == Phase.Dropped || s[1].Phase == Phase.Dropped);
    }

    [Fact]
    public void Masquerade_without_an_interface_address_drops_the_packet()
    {
        var rules = NatT([Rule(new MasqueradeTarget(null, NatRangeFlags.None))]);
        var flow = new FlowActor("a", Tcp(Inside, 40000, Remote, 443), 0, PacketPath.Forward, "lan", "nowhere");
        var sem = Sem(Router(rules, true, flow));
        var (final, steps) = RunSequential(sem);
        Assert.Equal(Phase.Dropped, final[0].Phase);
        Assert.True(final[0].Has(CtStatus.DroppedByTarget));
        Assert.Contains(steps, s => s is NatSetup { Decision: NatDecision.TargetDrop });
    }

    [Fact]
    public void Small_to_ports_range_with_more_flows_than_ports_drops_the_extra_flow()
    {
        var range = new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, Public, Public, 5000, 5001);
        var rules = NatT([Rule(new SnatTarget(range), OutWan)]);
        var flows = Enumerable.Range(0, 3).Select(i => (Actor)Forwarded($"f{i}", Tcp(Ipv4.Parse($"192.0.2.{20 + i}"), 40000, Remote, 443))).ToArray();
        var sem = Sem(Router(rules, true, flows));
        foreach (var final in Terminals(sem))
        {
            Assert.Equal(2, Enumerable.Range(0, 3).Count(i => final[i].Phase == Phase.Confirmed));
            var dropped = Assert.Single(Enumerable.Range(0, 3), i => final[i].Phase == Phase.Dropped);
            Assert.True(final[dropped].Has(CtStatus.SrcSearchFailed));
            Assert.All(Enumerable.Range(0, 3).Where(i => final[i].Linked), i => Assert.InRange(final[i].Reply.DstPort.Raw, 5000, 5001));
        }
    }

    [Fact]
    public void Dnat_in_prerouting_rewrites_the_destination_and_the_source_null_binding_follows()
    {
        var backend = Ipv4.Parse("192.0.2.80");
        var rules = NatT(prerouting: [Rule(new DnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, backend, backend, 8080, 8080)))]);
        var flow = new FlowActor("in", Tcp(Remote, 50000, Public, 80), 0, PacketPath.Forward, "wan", "lan");
        var sem = Sem(Router(rules, true, flow));
        var (final, steps) = RunSequential(sem);
        Assert.Equal(Tcp(Remote, 50000, backend, 8080), final[0].Reply.Invert());
        Assert.Contains(steps, s => s is NatSetup { Hook: NatHook.PostRouting, Decision: NatDecision.NullBinding });
    }

    [Fact]
    public void Redirect_at_output_maps_to_loopback_and_to_ports()
    {
        var rules = NatT(output: [Rule(new RedirectTarget(new PortRange(8080, 8080), NatRangeFlags.None))]);
        var sem = Sem(Scn(rules, true, Flow("a", Tcp(Client, 40000, Server, 80))));
        var (final, _) = RunSequential(sem);
        Assert.Equal(Tcp(Client, 40000, Ipv4.Parse("127.0.0.1"), 8080), final[0].Reply.Invert());
    }

    [Fact]
    public void Local_in_path_uses_prerouting_then_input_hooks()
    {
        var flow = new FlowActor("a", Tcp(Remote, 50000, Public, 22), 0, PacketPath.LocalIn, "wan", null);
        var sem = Sem(Router(NatT(), true, flow));
        var (_, steps) = RunSequential(sem);
        Assert.Equal([NatHook.PreRouting, NatHook.Input], steps.OfType<NatSetup>().Select(s => s.Hook));
        Assert.Equal(NatHook.PreRouting, steps.OfType<ConntrackIn>().Single().Hook);
    }

    [Fact]
    public void User_chain_return_and_accept_leave_the_manip_to_the_null_binding()
    {
        var chains = new Dictionary<string, NatChain>
        {
            ["PREROUTING"] = new("PREROUTING", true, []),
            ["INPUT"] = new("INPUT", true, []),
            ["OUTPUT"] = new("OUTPUT", true, []),
            ["POSTROUTING"] = new("POSTROUTING", true,
            [
                Rule(new JumpTarget("CHECK", false)),
                Rule(new SnatTarget(new NatRange(NatRangeFlags.MapIps, Public, Public, 0, 0))),
            ]),
            ["CHECK"] = new("CHECK", false,
            [
                Rule(new AcceptTarget(), new RuleMatch { DestinationPort = new Condition<PortRange>(new PortRange(443, 443), false), Protocol = new Condition<L4Protocol>(L4Protocol.Tcp, false) }),
                Rule(new ReturnTarget()),
            ]),
        };
        var rules = new NatRuleset(true, chains, []);
        var sem = Sem(Scn(rules, true, Flow("https", Tcp(Client, 40000, Server, 443)), Flow("http", Tcp(Client, 40001, Server, 80))));
        var (final, _) = RunSequential(sem);
        Assert.Equal(OutcomeKind.Kept, sem.OutcomeOf(final, 0).Kind); // ACCEPT in CHECK: null binding
        Assert.Equal(OutcomeKind.Nat, sem.OutcomeOf(final, 1).Kind); // RETURN, then SNAT
        Assert.Equal(Public, final[1].Reply.DstIp);
    }

    [Fact]
    public void Negated_match_inverts_the_condition()
    {
        var snat = Rule(new SnatTarget(new NatRange(NatRangeFlags.MapIps, Public, Public, 0, 0)),
            new RuleMatch { Destination = new Condition<Cidr>(new Cidr(Server, 32), true) });
        var sem = Sem(Scn(NatT([snat]), true, Flow("to-server", Tcp(Client, 40000, Server, 80)), Flow("elsewhere", Tcp(Client, 40001, Remote, 80))));
        var (final, _) = RunSequential(sem);
        Assert.Equal(OutcomeKind.Kept, sem.OutcomeOf(final, 0).Kind);
        Assert.Equal(OutcomeKind.Nat, sem.OutcomeOf(final, 1).Kind);
    }

    [Fact]
    public void Random_fully_skips_keeping_the_original_port_even_when_it_is_free()
    {
        var range = new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoRandomFully, Client, Client, 0, 0);
        var sem = Sem(Scn(NatT([Rule(new SnatTarget(range))]), true, Flow("a", Tcp(Client, 40000, Server, 80))));
        var ports = Terminals(sem).Select(s => s[0].Reply.DstPort).ToHashSet();
        Assert.Contains(Port.Of(40000), ports); // a random pick may land on it
        Assert.Contains(ports, p => p.IsFresh);
    }

    [Fact]
    public void Find_appropriate_src_reuses_the_mapping_of_the_same_original_source()
    {
        var range = new NatRange(NatRangeFlags.MapIps, Public, Public, 0, 0);
        var rules = NatT([Rule(new SnatTarget(range), OutWan)]);
        var other = Ipv4.Parse("192.0.2.11");
        // b takes a's natural external port first, so a gets a new one; a's second flow must reuse a's mapping.
        var sem = Sem(Router(rules, true,
            Forwarded("b", Tcp(other, 40000, Remote, 443)),
            Forwarded("a1", Tcp(Inside, 40000, Remote, 443)),
            Forwarded("a2", Tcp(Inside, 40000, Ipv4.Parse("203.0.113.60"), 443))));
        foreach (var final in Terminals(sem))
        {
            Assert.Equal(final[1].Reply.DstPort, final[2].Reply.DstPort);
            Assert.NotEqual(Port.Of(40000), final[2].Reply.DstPort);
        }
    }

    [Fact]
    public void Icmp_null_binding_rewrites_the_echo_id_when_taken()
    {
        var id = Port.Of(7);
        var echo = new ConntrackTuple(L4Protocol.Icmp, Client, id, Server, ConntrackTuple.IcmpEchoRequest);
        var other = new ConntrackTuple(L4Protocol.Icmp, Ipv4.Parse("198.51.100.9"), id, Server, ConntrackTuple.IcmpEchoRequest);
        var snat = Rule(new SnatTarget(new NatRange(NatRangeFlags.MapIps, Client, Client, 0, 0)),
            new RuleMatch { Source = new Condition<Cidr>(new Cidr(Ipv4.Parse("198.51.100.9"), 32), false) });
        var sem = Sem(Scn(NatT([snat]), true, new FlowActor("other", other, 0, PacketPath.Forward, "veth1", "veth0"), Flow("ping", echo)));
        foreach (var final in Terminals(sem))
        {
            var outcome = sem.OutcomeOf(final, 1);
            Assert.Equal(OutcomeKind.Rewritten, outcome.Kind);
            Assert.Equal("icmp-id", outcome.Detail);
        }
    }

    [Fact]
    public void Random_statistic_match_explores_both_endpoints_of_a_service()
    {
        // kube-proxy: -m statistic --mode random --probability 0.5 -j KUBE-SEP-A, then -j KUBE-SEP-B.
        var a = Ipv4.Parse("192.0.2.21");
        var b = Ipv4.Parse("192.0.2.22");
        var dnatA = Rule(new DnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, a, a, 8080, 8080)),
            new RuleMatch { RandomProbability = new Condition<double>(0.5, false) });
        var dnatB = Rule(new DnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, b, b, 8080, 8080)));
        var sem = Sem(Scn(NatT(output: [dnatA, dnatB]), true, Flow("svc", Tcp(Client, 40000, Ipv4.Parse("203.0.113.96"), 443))));
        var backends = Terminals(sem).Select(s => s[0].Reply.SrcIp).ToHashSet();
        Assert.Equal(new HashSet<Ipv4> { a, b }, backends);
    }

    [Fact]
    public void Random_statistic_match_with_probability_one_always_matches()
    {
        var a = Ipv4.Parse("192.0.2.21");
        var dnatA = Rule(new DnatTarget(new NatRange(NatRangeFlags.MapIps, a, a, 0, 0)),
            new RuleMatch { RandomProbability = new Condition<double>(1.0, false) });
        var sem = Sem(Scn(NatT(output: [dnatA]), true, Flow("svc", Tcp(Client, 40000, Ipv4.Parse("203.0.113.96"), 443))));
        Assert.All(Terminals(sem), s => Assert.Equal(a, s[0].Reply.SrcIp));
    }
}
