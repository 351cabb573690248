using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>
/// Protocols without an L4 key (GRE without the PPTP helper, the generic tracker's protocols) and ICMP echo id ranges in
/// <c>nf_nat_l4proto_unique_tuple</c>: a portless tuple cannot be moved, so a clash is never resolved by the search; an
/// ICMP range is searched in the echo id for either manip, and the DST manip takes the lowest free id.
/// </summary>
public class PortlessAndIcmpRangeTests
{
    private static readonly Ipv4 Lan = Ipv4.Parse("192.0.2.1");

    private static ConntrackTuple Gre(Ipv4 s, Ipv4 d) => new(L4Protocol.Gre, s, Port.Of(0), d, Port.Of(0));

    private static ConntrackTuple Echo(Ipv4 s, int id, Ipv4 d) => new(L4Protocol.Icmp, s, Port.Of(id), d, ConntrackTuple.IcmpEchoRequest);

    private static RuleMatch Proto(L4Protocol p, uint? mark = null) => new()
    {
        Protocol = new Condition<L4Protocol>(p, false),
        Mark = mark is { } m ? new Condition<MarkMatch>(new MarkMatch(m, uint.MaxValue), false) : null,
    };

    private static NatRule GreSnatToClient => Rule(new SnatTarget(new NatRange(NatRangeFlags.MapIps, Client, Client, 0, 0)), Proto(L4Protocol.Gre, 0x65));

    [Fact]
    public void Portless_null_binding_cannot_move_a_taken_reply_tuple_so_confirm_drops_the_flow()
    {
        // The thief's SNAT holds reply Server -> Client; the client's own tuple has that reply. A TCP client would get
        // another port; GRE has none, so the search leaves the tuple and confirm finds the clash.
        var sem = Sem(Scn(NatT([GreSnatToClient]), true, Flow("thief", Gre(Lan, Server), 0x65), Flow("client", Gre(Client, Server))));
        var finals = Terminals(sem);
        var final = Assert.Single(finals);
        Assert.Equal(OutcomeKind.Nat, sem.OutcomeOf(final, 0).Kind);
        Assert.Equal(OutcomeKind.Dropped, sem.OutcomeOf(final, 1).Kind);
        var (_, steps) = RunSequential(sem);
        var search = steps.OfType<NatSetup>().Single(s => s.Actor == 1 && s.Hook == NatHook.PostRouting);
        Assert.True(search.SearchFailed);
        Assert.Equal(Gre(Client, Server), search.After);
    }

    [Fact]
    public void Portless_snat_onto_a_taken_address_keeps_the_clashing_tuple_and_is_dropped()
    {
        var sem = Sem(Scn(NatT([GreSnatToClient]), true, Flow("client", Gre(Client, Server)), Flow("thief", Gre(Lan, Server), 0x65)));
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(OutcomeKind.Kept, sem.OutcomeOf(final, 0).Kind);
        Assert.Equal(OutcomeKind.Dropped, sem.OutcomeOf(final, 1).Kind);
    }

    [Fact]
    public void Two_identical_gre_first_packets_merge_at_confirm_only_where_gre_allows_clash()
    {
        // Two packets of one tuple racing through conntrack: the loser clashes at confirm. GRE's allow_clash (6.5+)
        // merges it into the identical winner; before, and for the generic tracker, the loser is dropped.
        ScenarioModel Race(L4Protocol p) => Scn(NatT(), false,
            Flow("a", Gre(Client, Server) with { Protocol = p }), Flow("b", Gre(Client, Server) with { Protocol = p }));
        OutcomeKind[] Kinds(ScenarioModel s, KernelProfile profile)
        {
            var sem = Sem(s, profile);
            return [.. Terminals(sem).Select(f => sem.OutcomeOf(f, 1).Kind).Distinct().Order()];
        }

        Assert.Contains(OutcomeKind.Merged, Kinds(Race(L4Protocol.Gre), KernelProfile.Linux612));
        Assert.DoesNotContain(OutcomeKind.Dropped, Kinds(Race(L4Protocol.Gre), KernelProfile.Linux612));
        Assert.Contains(OutcomeKind.Dropped, Kinds(Race(L4Protocol.Gre), KernelProfile.Linux515));
        Assert.DoesNotContain(OutcomeKind.Merged, Kinds(Race(L4Protocol.Gre), KernelProfile.Linux515));
        Assert.Contains(OutcomeKind.Dropped, Kinds(Race((L4Protocol)253), KernelProfile.Linux612));
        Assert.DoesNotContain(OutcomeKind.Merged, Kinds(Race((L4Protocol)253), KernelProfile.Linux612));
    }

    [Fact]
    public void Icmp_snat_with_an_id_range_maps_the_echo_id_into_the_range_at_any_free_id()
    {
        var snat = Rule(new SnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, Client, Client, 100, 103)), Proto(L4Protocol.Icmp));
        var sem = Sem(Scn(NatT([snat]), true, Flow("ping", Echo(Lan, 7, Server))));
        var ids = Terminals(sem).Select(f => f[0].Reply.Invert()).Select(t => (t.SrcIp, t.SrcPort.Raw)).ToHashSet();
        Assert.Equal([(Client, 100), (Client, 101), (Client, 102), (Client, 103)], ids.OrderBy(x => x.Raw));
    }

    [Fact]
    public void Icmp_snat_id_range_keeps_an_id_already_inside_it()
    {
        var snat = Rule(new SnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, Client, Client, 100, 103)), Proto(L4Protocol.Icmp));
        var sem = Sem(Scn(NatT([snat]), true, Flow("ping", Echo(Lan, 102, Server))));
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(Port.Of(102), final[0].Reply.Invert().SrcPort);
    }

    [Fact]
    public void Icmp_dnat_with_an_id_range_takes_the_lowest_free_id()
    {
        // DST manip without a random flag: nf_nat_l4proto_unique_tuple starts at offset 0 (6.x). The first ping takes
        // id 200; the second's reply at id 200 is taken, so it gets 201, and nothing else.
        var vip = Ipv4.Parse("198.51.100.9");
        var dnat = Rule(new DnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, Server, Server, 200, 203)), Proto(L4Protocol.Icmp));
        var sem = Sem(Scn(NatT(output: [dnat]), true, Flow("p1", Echo(Client, 7, vip)), Flow("p2", Echo(Client, 8, vip))));
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(Port.Of(200), final[0].Reply.SrcPort);
        Assert.Equal(Port.Of(201), final[1].Reply.SrcPort);
    }
}
