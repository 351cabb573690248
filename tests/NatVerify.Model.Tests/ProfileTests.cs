using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>Behaviour that differs between kernel profiles.</summary>
public class ProfileTests
{
    /// <summary>Race R5: both peers send a first UDP packet at once; each side's entry mirrors the other.</summary>
    private static Semantics.NatSemantics ReverseRace(KernelProfile profile)
    {
        var forward = Udp(Client, 5000, Server, 6000);
        var backward = Udp(Server, 6000, Client, 5000);
        return Sem(Scn(NatT(), false,
            new FlowActor("out", forward, 0, PacketPath.LocalOut, null, "veth0"),
            new FlowActor("in", backward, 0, PacketPath.LocalIn, "veth0", null)), profile);
    }

    [Fact]
    public void Reverse_udp_race_never_rewrites_a_port_on_6_12()
    {
        var sem = ReverseRace(KernelProfile.Linux612);
        Assert.DoesNotContain(Terminals(sem), s => s[0].Has(CtStatus.SrcNat) || s[1].Has(CtStatus.SrcNat));
        Assert.Contains(Terminals(sem), s => sem.OutcomeOf(s, 1).Kind == OutcomeKind.Merged || sem.OutcomeOf(s, 0).Kind == OutcomeKind.Merged);
    }

    [Fact]
    public void Reverse_udp_race_rewrites_a_port_spuriously_before_6_12()
    {
        // The rewritten entry then clashes on its original tuple at confirm and becomes a NAT_CLASH entry.
        var sem = ReverseRace(KernelProfile.Linux515);
        Assert.Contains(Terminals(sem), s => s[0].Has(CtStatus.SrcNat) || s[1].Has(CtStatus.SrcNat));
    }

    [Fact]
    public void Capped_search_can_fail_only_when_a_whole_probe_window_is_taken()
    {
        // A 200-port range with only 3 flows: the capped search always finds a free port.
        var @public = Ipv4.Parse("203.0.113.1");
        var range = new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, @public, @public, 10000, 10199);
        var flows = Enumerable.Range(0, 3).Select(i => (Actor)Flow($"f{i}", Tcp(Ipv4.Parse($"198.51.100.{10 + i}"), 40000, Server, 80))).ToArray();
        var sem = Sem(Scn(NatT([Rule(new SnatTarget(range))]), true, flows));
        Assert.All(Terminals(sem), s => Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(Phase.Confirmed, s[i].Phase)));
    }

    [Fact]
    public void Dnat_to_a_port_range_tries_the_first_port_first_on_6_12_only()
    {
        var backend = Ipv4.Parse("192.0.2.80");
        var range = new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, backend, backend, 8080, 8083);
        var rules = NatT(output: [Rule(new DnatTarget(range))]);
        Port Chosen(KernelProfile p, out int count)
        {
            var sem = Sem(Scn(rules, true, Flow("a", Tcp(Client, 40000, Server, 80))), p);
            var ports = Terminals(sem).Select(s => s[0].Reply.SrcPort).ToHashSet();
            count = ports.Count;
            return ports.Min();
        }

        Assert.Equal(Port.Of(8080), Chosen(KernelProfile.Linux612, out var n612));
        Assert.Equal(1, n612);
        Chosen(KernelProfile.Linux515, out var n515);
        Assert.Equal(4, n515);
    }

    [Fact]
    public void Same_origin_entries_count_as_taken_on_4_19_so_the_second_is_rewritten()
    {
        var t = Udp(Client, 5353, Server, 53);
        var sem = Sem(Scn(NatT(), false, Flow("a", t), Flow("b", t)), KernelProfile.Linux419);
        var state = sem.Initial;
        var sink = new List<(NatStep Step, NatState Next)>();
        state = Build.Take(sem, state, s => s is ConntrackIn { Actor: 1 });
        for (var i = 0; i < 4; i++)
        {
            state = Build.Take(sem, state, s => s.Actor == 0);
        }

        state = Build.Take(sem, state, s => s is NatSetup { Actor: 1 });
        sink.Clear();
        sem.Successors(state, sink);
        Assert.All(sink.Where(x => x.Step is NatSetup { Actor: 1 }), x => Assert.NotEqual(((NatSetup)x.Step).Before, ((NatSetup)x.Step).After));
    }
}
