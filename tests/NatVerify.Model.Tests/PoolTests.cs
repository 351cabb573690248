using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>
/// Pools (<see cref="PortPool"/>): N static entries holding N unnamed ports of an SNAT range towards one destination. Pins
/// that the search sees them (a full pool drops, one free port gives exactly the race on that port), that the capped
/// search of a 1,024-port range with 1,000 held may fail (5.15+), and that a pool costs no slot.
/// </summary>
public class PoolTests
{
    private static readonly Ipv4 NatIp = Ipv4.Parse("203.0.113.1");
    private static readonly Ipv4 Other = Ipv4.Parse("198.51.100.3");

    private static NatRule SnatRange(int lo, int hi) => Rule(
        new SnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, NatIp, NatIp, lo, hi)),
        new RuleMatch { Protocol = new Condition<L4Protocol>(L4Protocol.Tcp, false) });

    private static NatSemantics Pooled(int lo, int hi, int held, KernelProfile? profile = null, params FlowActor[] flows)
    {
        var scenario = Scn(NatT(postrouting: [SnatRange(lo, hi)]), false, flows) with
        {
            Pools = [new PortPool("pool", L4Protocol.Tcp, NatIp, new PortRange(lo, hi), Server, 80, held)],
        };
        return Sem(scenario, profile);
    }

    private static FlowActor Client(string name, int port, Ipv4? to = null) => Flow(name, Tcp(Build.Client, port, to ?? Server, 80));

    private static HashSet<string> Joint(NatSemantics sem) =>
        Terminals(sem).Select(s => string.Join(",", Enumerable.Range(0, s.Count).Select(i => sem.OutcomeOf(s, i).ToString()))).ToHashSet();

    [Fact]
    public void Full_pool_drops_the_new_flow_at_confirm()
    {
        var sem = Pooled(1000, 1063, 64, flows: Client("a", 40000));
        Assert.Equal(["dropped"], Joint(sem));
        var final = Assert.Single(Terminals(sem));
        Assert.True(final[0].Has(CtStatus.SrcSearchFailed), "the search gave up");
        Assert.True(final[0].Reply.DstPort.IsPoolHeld, "it kept a tuple a pool entry holds");
        Assert.Equal(sem.PoolEntry(0), (int)final[0].Partner);
    }

    [Fact]
    public void Pool_with_one_free_port_gives_that_port_and_nothing_else()
    {
        // 1000-1063 straddles the port classes' 1024 boundary: the free port may be below or above it, two states.
        var straddling = Pooled(1000, 1063, 63, flows: Client("a", 40000));
        Assert.Equal(["nat"], Joint(straddling));
        Assert.Equal(2, Terminals(straddling).Count);

        var sem = Pooled(2000, 2063, 63, flows: Client("a", 40000));
        Assert.Equal(["nat"], Joint(sem));
        var final = Assert.Single(Terminals(sem));
        Assert.True(final[0].Reply.DstPort.IsPicked);
        Assert.Equal(1, final[0].Reply.DstPort.FreshIndex);
    }

    [Fact]
    public void Two_flows_for_the_last_free_port_race_and_exactly_one_connects()
    {
        var sem = Pooled(1000, 1063, 63, flows: [Client("a", 40000), Client("b", 40001)]);
        Assert.Equal(["nat,dropped", "dropped,nat"], Joint(sem).Order().Reverse());

        // Both ways to lose: the same free port picked by both (confirm clash with the winner), or the search failing
        // on the pool's ports once the winner is confirmed (clash with a pool entry).
        var partners = Terminals(sem).Select(s => (int)(s[0].Phase == Phase.Dropped ? s[0].Partner : s[1].Partner)).ToHashSet();
        Assert.Contains(sem.PoolEntry(0), partners);
        Assert.True(partners.Any(p => p is 0 or 1), "a confirm clash with the other flow");
    }

    [Fact]
    public void Two_free_ports_let_both_connect_and_also_race_for_one()
    {
        var sem = Pooled(1000, 1063, 62, flows: [Client("a", 40000), Client("b", 40001)]);
        var joint = Joint(sem);
        Assert.Contains("nat,nat", joint);
        Assert.Contains("nat,dropped", joint);
        Assert.DoesNotContain("dropped,dropped", joint);
    }

    [Fact]
    public void Pool_holds_ports_only_towards_its_destination()
    {
        var sem = Pooled(1000, 1063, 64, flows: Client("a", 40000, Other));
        Assert.Equal(["nat"], Joint(sem));
    }

    [Fact]
    public void Capped_search_of_a_1024_port_range_with_1000_held_may_fail_from_5_15()
    {
        var capped = Pooled(2000, 3023, 1000, KernelProfile.Linux612, Client("a", 40000), Client("b", 40001));
        var joint = Joint(capped);
        Assert.Contains("nat,nat", joint);
        Assert.Contains("dropped,nat", joint);

        // 4.19 scans the whole range from the rover: 24 free ports, never a failure for two flows... but both may
        // still pick the same one and race at confirm.
        var full = Pooled(2000, 3023, 1000, KernelProfile.Linux419, Client("a", 40000), Client("b", 40001));
        Assert.All(Terminals(full), s => Assert.False(s[0].Has(CtStatus.SrcSearchFailed) || s[1].Has(CtStatus.SrcSearchFailed)));
    }

    [Fact]
    public void Capped_search_with_fewer_than_128_held_never_gives_up()
    {
        var sem = Pooled(2000, 3023, 100, KernelProfile.Linux612, Client("a", 40000));
        Assert.Equal(["nat"], Joint(sem));
    }

    [Fact]
    public void A_pool_is_no_slot_and_its_count_is_checked()
    {
        var sem = Pooled(1000, 1063, 63, flows: Client("a", 40000));
        Assert.Equal(1, sem.Initial.Count);
        Assert.Throws<ArgumentException>(() => Pooled(1000, 1063, 65, flows: Client("a", 40000)));
    }
}
