using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>Pins the branches of nf_nat_alloc_null_binding / get_unique_tuple / nf_nat_l4proto_unique_tuple.</summary>
public class NullBindingTests
{
    private static readonly NatRule ThiefSnat = SnatSinglePort(Client, 12345, 0x64);

    [Fact]
    public void NullBinding_keeps_the_tuple_when_its_reply_tuple_is_free()
    {
        var sem = Sem(Scn(NatT(), true, Flow("client", Tcp(Client, 12345, Server, 80))));
        var (final, steps) = RunSequential(sem);
        Assert.Equal(Phase.Confirmed, final[0].Phase);
        Assert.Equal(OutcomeKind.Kept, sem.OutcomeOf(final, 0).Kind);
        Assert.All(steps.OfType<NatSetup>(), s => Assert.Equal(NatDecision.NullBinding, s.Decision));
    }

    [Fact]
    public void NullBinding_rewrites_source_port_when_reply_tuple_is_taken()
    {
        var sem = Sem(Scn(NatT([ThiefSnat]), true,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))));
        foreach (var final in Terminals(sem))
        {
            var outcome = sem.OutcomeOf(final, 1);
            Assert.Equal(OutcomeKind.Rewritten, outcome.Kind);
            Assert.Equal("1024-65535", outcome.Detail);
            var after = final[1].Reply.Invert();
            Assert.Equal(Client, after.SrcIp);
            Assert.Equal(Port.Of(80), after.DstPort);
            Assert.NotEqual(Port.Of(12345), after.SrcPort);
        }
    }

    [Fact]
    public void NullBinding_search_may_pick_a_port_a_local_socket_holds_or_a_fresh_one()
    {
        var sem = Sem(Scn(NatT([ThiefSnat]), true,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))));
        var ports = Terminals(sem).Select(s => s[1].Reply.DstPort).ToHashSet();
        Assert.Contains(Port.Of(54321), ports); // conntrack does not know the thief's socket port
        Assert.Contains(ports, p => p.IsFresh);
    }

    [Fact]
    public void Source_port_in_512_to_599_is_rewritten_into_600_to_1023()
    {
        var sem = Sem(Scn(NatT([SnatSinglePort(Client, 550, 0x64)]), true,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 550, Server, 80))));
        foreach (var final in Terminals(sem))
        {
            Assert.True(sem.Ports.InRange(final[1].Reply.DstPort, 600, 1023));
            Assert.Equal("600-1023", sem.OutcomeOf(final, 1).Detail);
        }
    }

    [Fact]
    public void Low_source_port_is_rewritten_within_1_to_511()
    {
        var sem = Sem(Scn(NatT([SnatSinglePort(Client, 100, 0x64)]), true,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 100, Server, 80))));
        Assert.All(Terminals(sem), f => Assert.True(sem.Ports.InRange(f[1].Reply.DstPort, 1, 511)));
    }

    [Fact]
    public void Dst_null_binding_never_changes_a_port_even_when_the_tuple_is_taken()
    {
        var sem = Sem(Scn(NatT([ThiefSnat]), true,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))));
        var (_, steps) = RunSequential(sem);
        var dst = steps.OfType<NatSetup>().Single(s => s.Actor == 1 && s.Manip == ManipType.Dst);
        Assert.Equal(NatDecision.NullBinding, dst.Decision);
        Assert.Equal(dst.Before, dst.After);
        Assert.Contains(dst.Probes, p => p.TakenBy == 0);
    }

    [Fact]
    public void Dst_null_binding_mutant_changes_the_destination_port()
    {
        var sem = Sem(Scn(NatT([ThiefSnat]), true,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))),
            mutant: KernelMutant.DstNullBindingChangesPort);
        var (_, steps) = RunSequential(sem);
        var dst = steps.OfType<NatSetup>().Single(s => s.Actor == 1 && s.Manip == ManipType.Dst);
        Assert.NotEqual(dst.Before.DstPort, dst.After.DstPort);
    }

    [Fact]
    public void Single_port_snat_whose_port_already_matches_is_accepted_without_a_uniqueness_check()
    {
        // The thief comes from another address but already uses port 12345: get_unique_tuple step 3 accepts
        // the single-port range blindly, although the client holds the tuple, and confirm drops the thief.
        var other = Ipv4.Parse("198.51.100.3");
        var sem = Sem(Scn(NatT([SnatSinglePort(Client, 12345, 0x64)]), true,
            Flow("client", Tcp(Client, 12345, Server, 80)),
            Flow("thief", Tcp(other, 12345, Server, 80), 0x64, PacketPath.Forward)));
        var (final, steps) = RunSequential(sem);
        var src = steps.OfType<NatSetup>().Single(s => s.Actor == 1 && s.Manip == ManipType.Src);
        Assert.Equal(NatDecision.Rule, src.Decision);
        Assert.False(src.SearchFailed);
        Assert.DoesNotContain(src.Probes, p => p.Function == "nf_conntrack_tuple_taken");
        Assert.Contains(src.Probes, p => p.Note?.Contains("without a uniqueness check", StringComparison.Ordinal) == true);
        Assert.Equal(Phase.Dropped, final[1].Phase);
    }

    [Fact]
    public void Single_port_snat_onto_a_taken_port_keeps_it_and_confirm_drops_the_packet()
    {
        var sem = Sem(Scn(NatT([ThiefSnat]), true,
            Flow("client", Tcp(Client, 12345, Server, 80)), Flow("thief", Tcp(Client, 54321, Server, 80), 0x64)));
        var (final, steps) = RunSequential(sem);
        Assert.True(steps.OfType<NatSetup>().Single(s => s.Actor == 1 && s.Manip == ManipType.Src).SearchFailed);
        Assert.Equal(Phase.Dropped, final[1].Phase);
        var confirm = steps.OfType<Confirm>().Single(c => c.Actor == 1);
        Assert.Equal(ConfirmResult.Dropped, confirm.Result);
        Assert.Equal(0, confirm.ClashWith);
        Assert.True(confirm.ClashOnReply);
    }

    [Fact]
    public void Without_a_nat_table_there_is_no_null_binding_and_the_clash_is_dropped_at_confirm()
    {
        var insert = new CtnetlinkInsert("insert", Tcp(Ipv4.Parse("192.0.2.1"), 0, Server, 0), Tcp(Server, 80, Client, 12345), "-I");
        var sem = Sem(Scn(NatRuleset.None, true, insert, Flow("client", Tcp(Client, 12345, Server, 80))));
        var (final, steps) = RunSequential(sem);
        Assert.Empty(steps.OfType<NatSetup>());
        Assert.Equal(Phase.Dropped, final[1].Phase);
    }

    [Fact]
    public void Unconfirmed_entries_are_invisible_to_the_null_binding_probe()
    {
        // thief NATed but unconfirmed while the client probes: the client keeps its port, then one confirm loses.
        var sem = Sem(Scn(NatT([ThiefSnat]), false,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))));
        var state = sem.Initial;
        var sink = new List<(NatStep Step, NatState Next)>();
        state = Build.Take(sem, state, s => s is ConntrackIn { Actor: 0 });
        state = Build.Take(sem, state, s => s is NatSetup { Actor: 0 });
        state = Build.Take(sem, state, s => s is NatSetup { Actor: 0 }); // thief SNATed, not confirmed
        state = Build.Take(sem, state, s => s is ConntrackIn { Actor: 1 });
        state = Build.Take(sem, state, s => s is NatSetup { Actor: 1 });
        sink.Clear();
        sem.Successors(state, sink);
        var clientSrc = sink.Where(x => x.Step is NatSetup { Actor: 1 }).ToList();
        var only = Assert.Single(clientSrc);
        var setup = (NatSetup)only.Step;
        Assert.Equal(setup.Before, setup.After);
        Assert.All(setup.Probes, p => Assert.Equal(-1, p.TakenBy));
    }

    [Fact]
    public void Probe_sees_unconfirmed_mutant_rewrites_although_the_tuple_is_free()
    {
        var sem = Sem(Scn(NatT([ThiefSnat]), false,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))),
            mutant: KernelMutant.ProbeSeesUnconfirmed);
        var catalog = new Properties.PropertyCatalog(sem);
        Assert.Contains(Terminals(sem), t => catalog.Check(Properties.PropertyIds.NullBindingIdentityWhenFree, t) is not null);
    }
}
