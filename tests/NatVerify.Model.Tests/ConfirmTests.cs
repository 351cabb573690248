using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>Pins __nf_conntrack_confirm and nf_ct_resolve_clash per kernel profile.</summary>
public class ConfirmTests
{
    private static readonly Ipv4 Vip = Ipv4.Parse("203.0.113.10");
    private static readonly Ipv4 BackendA = Ipv4.Parse("203.0.113.21");
    private static readonly Ipv4 BackendB = Ipv4.Parse("203.0.113.22");

    private static NatRule Dnat(Ipv4 to) => Rule(
        new DnatTarget(new NatRange(NatRangeFlags.MapIps, to, to, 0, 0)),
        new RuleMatch { Protocol = new Condition<L4Protocol>(L4Protocol.Udp, false), Mark = new Condition<MarkMatch>(new MarkMatch(to.Value & 0xff, uint.MaxValue), false) });

    /// <summary>Two first packets of one UDP socket (same original tuple) on two CPUs; marks pick different DNAT backends.</summary>
    private static Model.Semantics.NatSemantics SameSocketTwoBackends(KernelProfile profile, bool sameBackend)
    {
        var t = Udp(Client, 5353, Vip, 53);
        var rules = new[] { Dnat(BackendA), Dnat(BackendB) };
        var a = Flow("a", t, BackendA.Value & 0xff);
        var b = Flow("b", t, (sameBackend ? BackendA : BackendB).Value & 0xff);
        return Sem(Scn(NatT(output: rules), false, a, b), profile);
    }

    [Fact]
    public void Identical_udp_entries_merge_at_confirm()
    {
        var sem = SameSocketTwoBackends(KernelProfile.Linux612, sameBackend: true);
        var outcomes = Terminals(sem).Select(s => (sem.OutcomeOf(s, 0).Kind, sem.OutcomeOf(s, 1).Kind)).ToHashSet();
        Assert.Contains((OutcomeKind.Nat, OutcomeKind.Merged), outcomes);
        Assert.Contains((OutcomeKind.Merged, OutcomeKind.Nat), outcomes);
        Assert.DoesNotContain(outcomes, o => o.Item1 == OutcomeKind.Dropped || o.Item2 == OutcomeKind.Dropped);
    }

    [Fact]
    public void Same_origin_udp_with_different_backends_becomes_a_reply_only_clash_entry_since_5_6()
    {
        var sem = SameSocketTwoBackends(KernelProfile.Linux612, sameBackend: false);
        var terminals = Terminals(sem);
        var kinds = terminals.Select(s => (sem.OutcomeOf(s, 0).Kind, sem.OutcomeOf(s, 1).Kind)).ToHashSet();
        Assert.Contains((OutcomeKind.Nat, OutcomeKind.ClashEntry), kinds);
        Assert.Contains((OutcomeKind.ClashEntry, OutcomeKind.Nat), kinds);
        Assert.Contains((OutcomeKind.Nat, OutcomeKind.Joined), kinds); // b's packet arrives after a is confirmed
        Assert.DoesNotContain(kinds, k => k.Item1 == OutcomeKind.Dropped || k.Item2 == OutcomeKind.Dropped);
        foreach (var s in terminals.Where(t => t[0].Phase == Phase.ClashEntry || t[1].Phase == Phase.ClashEntry))
        {
            var clash = s[0].Phase == Phase.ClashEntry ? 0 : 1;
            Assert.True(s[clash].Has(CtStatus.NatClash));
            Assert.False(s[clash].OriginalLinked);
        }
    }

    [Fact]
    public void Same_origin_udp_with_different_backends_is_dropped_on_4_19()
    {
        var sem = SameSocketTwoBackends(KernelProfile.Linux419, sameBackend: false);
        var kinds = Terminals(sem).SelectMany(s => new[] { sem.OutcomeOf(s, 0).Kind, sem.OutcomeOf(s, 1).Kind }).ToHashSet();
        Assert.Contains(OutcomeKind.Dropped, kinds);
        Assert.DoesNotContain(OutcomeKind.ClashEntry, kinds);
    }

    [Fact]
    public void Tcp_clash_at_confirm_is_never_resolved()
    {
        var t = Tcp(Client, 40000, Server, 80);
        var sem = Sem(Scn(NatT(), false, Flow("a", t), Flow("b", t)));
        Assert.All(Terminals(sem), s =>
        {
            var kinds = new[] { sem.OutcomeOf(s, 0).Kind, sem.OutcomeOf(s, 1).Kind };
            Assert.True(kinds.Contains(OutcomeKind.Dropped) || kinds.Contains(OutcomeKind.Joined));
        });
    }

    [Fact]
    public void No_confirm_clash_check_mutant_links_duplicate_tuples()
    {
        var t = Tcp(Client, 40000, Server, 80);
        var sem = Sem(Scn(NatT(), false, Flow("a", t), Flow("b", t)), mutant: KernelMutant.NoConfirmClashCheck);
        var catalog = new Properties.PropertyCatalog(sem);
        Assert.Contains(Terminals(sem), s => catalog.Check(Properties.PropertyIds.LinkedTupleUniqueness, s) is not null);
    }

    [Fact]
    public void Ctnetlink_insert_is_refused_with_EEXIST_when_a_tuple_is_linked()
    {
        var client = Tcp(Client, 12345, Server, 80);
        var insert = new CtnetlinkInsert("insert", Tcp(Ipv4.Parse("192.0.2.1"), 0, Server, 0), client.Invert(), "-I");
        var sem = Sem(Scn(NatT(), true, Flow("client", client), insert));
        var (final, steps) = RunSequential(sem);
        Assert.Equal(Phase.Exists, final[1].Phase);
        Assert.Equal(0, steps.OfType<CtnetlinkInsertStep>().Single().ClashWith);
    }

    [Fact]
    public void Ctnetlink_delete_unlinks_matching_entries()
    {
        var client = Tcp(Client, 12345, Server, 80);
        var delete = new CtnetlinkDelete("delete", new TupleFilter { Original = new PartialTuple { SrcPort = 12345 } }, "-D");
        var sem = Sem(Scn(NatT(), true, Flow("client", client), delete));
        var (final, _) = RunSequential(sem);
        Assert.False(final[0].Linked);
        Assert.Equal(OutcomeKind.Deleted, sem.OutcomeOf(final, 1).Kind);
    }

    [Fact]
    public void Expired_entry_is_free_for_the_null_binding_probe_which_collects_it()
    {
        var thief = Flow("thief", Tcp(Client, 54321, Server, 80), 0x64);
        var timeout = new EntryTimeout("timeout", "thief");
        var client = Flow("client", Tcp(Client, 12345, Server, 80));
        var sem = Sem(Scn(NatT([SnatSinglePort(Client, 12345, 0x64)]), true, thief, timeout, client));
        // Always take the first successor, which is never the GC worker while an actor can step.
        var (final, steps) = RunSequential(sem, sink => sink.FindIndex(x => x.Step is not GcStep) is var i and >= 0 ? i : 0);
        Assert.Equal(OutcomeKind.Kept, sem.OutcomeOf(final, 2).Kind);
        Assert.Contains(steps, s => s.Collected.Contains(0));
    }
}
