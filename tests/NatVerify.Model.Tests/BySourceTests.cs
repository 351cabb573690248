using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>
/// Pins when an entry is in <c>nf_nat_bysource</c> for <c>find_appropriate_src</c>: from its SRC manip
/// (<c>nf_nat_setup_info</c>, confirmed or not) until <c>nf_conntrack_free</c> removes it; an entry whose SYN was
/// dropped at confirm is freed with the skb, also when TCP will retransmit the SYN.
/// </summary>
public class BySourceTests
{
    private static readonly Ipv4 NatIp = Ipv4.Parse("203.0.113.1");
    private static readonly Ipv4 Server2 = Ipv4.Parse("198.51.100.3");

    /// <summary>
    /// a (mark 1) is SNATed onto the single port 5000, whose reply tuple a ctnetlink insert holds, so a's SYN is
    /// dropped at confirm; b, from the same socket (198.51.100.1:40000) to another server, is SNATed into
    /// 5000-5001. b's source port is outside the range, so get_unique_tuple asks find_appropriate_src first.
    /// </summary>
    private static Semantics.NatSemantics SameSocket(int retriesOfA)
    {
        var fixedPort = SnatSinglePort(NatIp, 5000, 1);
        var range = Rule(
            new SnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, NatIp, NatIp, 5000, 5001)),
            new RuleMatch { Protocol = new Condition<L4Protocol>(L4Protocol.Tcp, false), Mark = new Condition<MarkMatch>(new MarkMatch(2, uint.MaxValue), false) });
        var insert = new CtnetlinkInsert("insert", Tcp(Ipv4.Parse("192.0.2.1"), 0, Server, 0), Tcp(Server, 80, NatIp, 5000), "-I");
        var a = Flow("a", Tcp(Client, 40000, Server, 80), mark: 1) with { Retries = retriesOfA };
        var b = Flow("b", Tcp(Client, 40000, Server2, 80), mark: 2);
        return Sem(Scn(NatT(postrouting: [fixedPort, range]), false, insert, a, b));
    }

    /// <summary>The insert, then a up to its confirm, then b up to its SRC manip: b's SRC successors.</summary>
    private static List<NatSetup> SrcChoicesOfBAfterADropped(Semantics.NatSemantics sem, Phase expectedA)
    {
        var s = Take(sem, sem.Initial, st => st is CtnetlinkInsertStep);
        for (var k = 0; k < 4; k++)
        {
            s = Take(sem, s, st => st.Actor == 1);
        }

        Assert.Equal(expectedA, s[1].Phase);
        Assert.True(s[1].BySourceOrder > 0, "a's SRC manip put it in bysource");
        s = Take(sem, s, st => st.Actor == 2);
        s = Take(sem, s, st => st.Actor == 2);
        var sink = new List<(NatStep Step, State.NatState Next)>();
        sem.Successors(s, sink);
        return sink.Select(x => x.Step).OfType<NatSetup>().Where(x => x.Actor == 2).ToList();
    }

    [Fact]
    public void Syn_dropped_at_confirm_leaves_bysource_even_when_tcp_will_retransmit_it()
    {
        var choices = SrcChoicesOfBAfterADropped(SameSocket(retriesOfA: 1), Phase.Retrying);

        // Freed with the dropped skb: b searches the range (random offset), both ports free; nothing is reused.
        Assert.Equal([5000, 5001], choices.Select(c => c.After.SrcPort.Number).Order());
        Assert.DoesNotContain(choices.SelectMany(c => c.Probes), p => p.Function == "find_appropriate_src");
    }

    [Fact]
    public void Syn_dropped_for_good_leaves_bysource()
    {
        var choices = SrcChoicesOfBAfterADropped(SameSocket(retriesOfA: 0), Phase.Dropped);
        Assert.Equal([5000, 5001], choices.Select(c => c.After.SrcPort.Number).Order());
    }

    [Fact]
    public void Unconfirmed_entry_after_its_src_manip_is_in_bysource_and_its_mapping_is_reused()
    {
        var sem = SameSocket(retriesOfA: 1);
        var s = Take(sem, sem.Initial, st => st is CtnetlinkInsertStep);
        for (var k = 0; k < 3; k++)
        {
            s = Take(sem, s, st => st.Actor == 1);
        }

        Assert.Equal(Phase.SrcDone, s[1].Phase);
        s = Take(sem, s, st => st.Actor == 2);
        s = Take(sem, s, st => st.Actor == 2);
        var sink = new List<(NatStep Step, State.NatState Next)>();
        sem.Successors(s, sink);
        var choices = sink.Select(x => x.Step).OfType<NatSetup>().Where(x => x.Actor == 2).ToList();

        // nf_nat_setup_info added a to bysource at its SRC manip: b reuses 203.0.113.1:5000 (free towards Server2).
        var only = Assert.Single(choices);
        Assert.Equal(5000, only.After.SrcPort.Number);
        Assert.Contains(only.Probes, p => p.Function == "find_appropriate_src");
    }
}
