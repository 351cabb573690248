using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>
/// Pins TCP connection state: TIME_WAIT/CLOSE entries keep their tuples (tcp_packet), a SYN on them reopens
/// (nf_ct_kill + NF_REPEAT), nf_nat_used_tuple_harder evicts closed SNAT entries (6.5+), and SYN retransmission.
/// </summary>
public class TcpStateTests
{
    private static readonly Ipv4 NatIp = Ipv4.Parse("203.0.113.1");

    private static NatRule SnatTo5000 => Rule(
        new SnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, NatIp, NatIp, 5000, 5000)),
        new RuleMatch { Protocol = new Condition<L4Protocol>(L4Protocol.Tcp, false) });

    /// <summary>a connects through a single-port SNAT, closes, then b (another client port) connects the same way.</summary>
    private static Semantics.NatSemantics SinglePortReuse(KernelProfile profile, CloseKind? close, int retries = 0)
    {
        var actors = new List<Actor> { Flow("a", Tcp(Client, 40000, Server, 80)) };
        if (close is { } how)
        {
            actors.Add(new ConnectionClose("close-a", "a", how));
        }

        actors.Add(Flow("b", Tcp(Client, 40001, Server, 80)) with { Retries = retries });
        return Sem(Scn(NatT(postrouting: [SnatTo5000]), true, [.. actors]), profile);
    }

    private static HashSet<string> OutcomesOf(Semantics.NatSemantics sem, string actor)
    {
        var index = sem.Scenario.IndexOf(actor);
        return Terminals(sem).Select(s => sem.OutcomeOf(s, index).ToString()).ToHashSet();
    }

    [Fact]
    public void Time_wait_entry_still_holds_its_snat_tuple_before_6_5()
    {
        var sem = SinglePortReuse(KernelProfile.Linux515, CloseKind.Fin);
        Assert.Equal(["dropped"], OutcomesOf(sem, "b"));
    }

    [Fact]
    public void Used_tuple_harder_evicts_a_time_wait_snat_entry_when_the_sequence_advanced()
    {
        var sem = SinglePortReuse(KernelProfile.Linux612, CloseKind.Fin);
        Assert.Equal(["nat", "dropped"], OutcomesOf(sem, "b").Order().Reverse());
        var evicted = Terminals(sem).Where(s => sem.OutcomeOf(s, 2).Kind == OutcomeKind.Nat).ToList();
        Assert.All(evicted, s => Assert.True(s[0].Has(CtStatus.EvictedBySnat) && !s[0].Linked));
    }

    [Fact]
    public void Used_tuple_harder_evicts_a_reset_snat_entry_too()
    {
        var sem = SinglePortReuse(KernelProfile.Linux612, CloseKind.Rst);
        Assert.Contains("nat", OutcomesOf(sem, "b"));
    }

    [Fact]
    public void Used_tuple_harder_never_evicts_an_established_entry()
    {
        var sem = SinglePortReuse(KernelProfile.Linux612, close: null);
        Assert.Equal(["dropped"], OutcomesOf(sem, "b"));
    }

    [Fact]
    public void Retried_syn_distinguishes_connected_on_retry_from_dropped_for_good()
    {
        var sem = SinglePortReuse(KernelProfile.Linux612, CloseKind.Fin, retries: 1);
        var outcomes = OutcomesOf(sem, "b");
        Assert.Contains("nat", outcomes);
        Assert.Contains("retried:nat", outcomes);
        Assert.Contains("dropped", outcomes);
    }

    [Fact]
    public void Retransmission_connects_once_the_time_wait_entry_expired()
    {
        var a = Flow("a", Tcp(Client, 40000, Server, 80));
        var b = Flow("b", Tcp(Client, 40001, Server, 80)) with { Retries = 1 };
        var actors = new Actor[] { a, new ConnectionClose("close-a", "a", CloseKind.Fin), b, new EntryTimeout("tw-a", "a") };
        var scenario = new ScenarioModel("test", NatT(postrouting: [SnatTo5000]), new Dictionary<string, Ipv4> { ["veth0"] = Client }, actors,
            [new OrderConstraint("a", Milestone.Confirm, "close-a", Milestone.Start, ""), new OrderConstraint("close-a", Milestone.Start, "b", Milestone.Start, ""),
             new OrderConstraint("close-a", Milestone.Start, "tw-a", Milestone.Start, "")], false);
        var sem = Sem(scenario, KernelProfile.Linux515);
        var outcomes = OutcomesOf(sem, "b");
        Assert.Equal(["dropped", "nat", "retried:nat"], outcomes.Order());
    }

    [Fact]
    public void Syn_on_a_time_wait_tuple_kills_the_old_entry_and_creates_a_new_one()
    {
        var t = Tcp(Client, 40000, Server, 80);
        var sem = Sem(Scn(NatT(), true, Flow("a", t), new ConnectionClose("close-a", "a", CloseKind.Fin), Flow("b", t)));
        var (final, steps) = RunSequential(sem);
        Assert.Equal(OutcomeKind.Kept, sem.OutcomeOf(final, 2).Kind);
        Assert.False(final[0].Linked);
        var lookup = steps.OfType<ConntrackIn>().Single(s => s.Actor == 2);
        Assert.Equal([0], lookup.Collected);
    }

    [Fact]
    public void Syn_on_an_established_tuple_joins_it()
    {
        var t = Tcp(Client, 40000, Server, 80);
        var sem = Sem(Scn(NatT(), true, Flow("a", t), Flow("b", t)));
        var (final, _) = RunSequential(sem);
        Assert.Equal(OutcomeKind.Joined, sem.OutcomeOf(final, 1).Kind);
    }

    [Fact]
    public void Reply_direction_syn_reopens_a_time_wait_entry_but_is_invalid_on_a_reset_one()
    {
        var t = Tcp(Client, 40000, Server, 80);
        foreach (var (how, expected) in new[] { (CloseKind.Fin, OutcomeKind.Kept), (CloseKind.Rst, OutcomeKind.Invalid) })
        {
            var sem = Sem(Scn(NatT(), true, Flow("a", t), new ConnectionClose("close-a", "a", how), Flow("b", t.Invert())));
            var (final, _) = RunSequential(sem);
            Assert.Equal(expected, sem.OutcomeOf(final, 2).Kind);
            Assert.Equal(how == CloseKind.Rst, final[0].Linked);
        }
    }

    [Theory]
    [InlineData("ESTABLISHED", "invalid")]
    [InlineData("SYN_RECV", "invalid")]
    [InlineData("FIN_WAIT", "invalid")]
    [InlineData(null, "invalid")]
    [InlineData("SYN_SENT", "joined")]
    [InlineData("SYN_SENT2", "joined")]
    [InlineData("TIME_WAIT", "joined")]
    public void Reply_direction_syn_on_an_inserted_entry_follows_tcp_conntracks_for_its_state(string? state, string expected)
    {
        // tcp_conntracks[REPLY][TCP_SYN_SET]: sSS/sS2 -> sS2 (simultaneous open), sTW -> sSS without CLOSE_INIT falls
        // through to the ignore case (NF_ACCEPT), everything else (sNO included: no --state) -> sIV.
        var t = Tcp(Client, 40000, Server, 80);
        var insert = new CtnetlinkInsert("insert", t, t.Invert(), "-I") { TcpState = state };
        var sem = Sem(Scn(NatT(), true, insert, Flow("back", t.Invert())));
        Assert.Equal([expected], OutcomesOf(sem, "back"));
        var (final, steps) = RunSequential(sem);
        Assert.True(final[0].Linked);
        Assert.Equal(expected == "invalid" ? 0 : -1, steps.OfType<ConntrackIn>().Single().InvalidFor);
    }

    [Fact]
    public void Reply_direction_syn_on_a_flows_entry_may_join_or_be_invalid()
    {
        // A flow's own entry is SYN_SENT until its peer answers (sS2 for the reversed SYN), SYN_RECV/ESTABLISHED after
        // (sIV); the model has no step for the answer, so both.
        var t = Tcp(Client, 40000, Server, 80);
        var sem = Sem(Scn(NatT(), true, Flow("a", t), Flow("b", t.Invert())));
        Assert.Equal(["invalid", "joined"], OutcomesOf(sem, "b").Order());
        var same = Sem(Scn(NatT(), true, Flow("a", t), Flow("b", t)));
        Assert.Equal(["joined"], OutcomesOf(same, "b"));
    }

    [Fact]
    public void Close_of_a_flow_without_an_entry_of_its_own_is_skipped()
    {
        var t = Tcp(Client, 40000, Server, 80);
        var sem = Sem(Scn(NatT(), true, Flow("a", t), Flow("b", t), new ConnectionClose("close-b", "b", CloseKind.Fin)));
        var (final, _) = RunSequential(sem);
        Assert.Equal(OutcomeKind.Joined, sem.OutcomeOf(final, 1).Kind);
        Assert.Equal(OutcomeKind.Skipped, sem.OutcomeOf(final, 2).Kind);
    }

    [Theory]
    [InlineData("6.18", "linux-6.12")]
    [InlineData("linux-6.12.3", "linux-6.12")]
    [InlineData("6.11", "linux-5.15")]
    [InlineData("5.15", "linux-5.15")]
    [InlineData("5.4", "linux-4.19")]
    [InlineData("LINUX-4.19", "linux-4.19")]
    public void Kernel_version_maps_to_the_newest_profile_not_newer_than_it(string version, string profile) =>
        Assert.Equal(profile, KernelProfile.Find(version)?.Name);

    [Theory]
    [InlineData("4.14")]
    [InlineData("six")]
    [InlineData("6")]
    [InlineData("6.1.2.3")]
    public void Unknown_or_too_old_kernel_versions_have_no_profile(string version) => Assert.Null(KernelProfile.Find(version));
}
