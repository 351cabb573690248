using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>Laws of the model: steps are pure, states are canonical, the real kernel keeps its properties.</summary>
public class LawTests
{
    private static NatSemantics SeedRace(KernelProfile profile) => Sem(Scn(NatT([SnatSinglePort(Client, 12345, 0x64)]), false,
        Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))), profile);

    [Fact]
    public void Steps_never_mutate_their_input_state()
    {
        var sem = SeedRace(KernelProfile.Linux612);
        var sink = new List<(NatStep, NatState)>();
        foreach (var state in Reachable(sem))
        {
            var copy = new NatState(state.CopySlots());
            sink.Clear();
            sem.Successors(state, sink);
            Assert.Equal(copy, state);
        }
    }

    [Fact]
    public void Every_reachable_state_is_canonical()
    {
        var sem = SeedRace(KernelProfile.Linux612);
        foreach (var state in Reachable(sem))
        {
            var slots = state.CopySlots();
            Assert.Equal(state, new NatState(Canonicalizer.Canonicalize(slots)));
        }
    }

    [Fact]
    public void Successors_are_deterministic()
    {
        var sem = SeedRace(KernelProfile.Linux612);
        foreach (var state in Reachable(sem))
        {
            var a = new List<(NatStep, NatState)>();
            var b = new List<(NatStep, NatState)>();
            sem.Successors(state, a);
            sem.Successors(state, b);
            Assert.Equal(a.Select(x => x.Item2), b.Select(x => x.Item2));
        }
    }

    [Theory]
    [InlineData("linux-6.12")]
    [InlineData("linux-5.15")]
    [InlineData("linux-4.19")]
    public void Real_kernel_keeps_every_property_in_every_state_of_the_seed_race(string profile)
    {
        var sem = SeedRace(KernelProfile.Find(profile)!);
        var catalog = new Properties.PropertyCatalog(sem);
        foreach (var state in Reachable(sem))
        {
            foreach (var id in Properties.PropertyIds.All)
            {
                Assert.Null(catalog.Check(id, state));
            }
        }
    }

    [Fact]
    public void Self_connection_is_its_own_inverse_and_keeps_every_property()
    {
        var sem = Sem(Scn(NatT(), true, Flow("self", Tcp(Client, 5000, Client, 5000))));
        var (final, _) = RunSequential(sem);
        Assert.Equal(final[0].Reply, Original(sem));
        var catalog = new Properties.PropertyCatalog(sem);
        Assert.All(Properties.PropertyIds.All, id => Assert.Null(catalog.Check(id, final)));

        static Tuples.ConntrackTuple Original(NatSemantics s) => s.Original(0);
    }

    private static List<NatState> Reachable(NatSemantics sem)
    {
        var seen = new HashSet<NatState> { sem.Initial };
        var order = new List<NatState> { sem.Initial };
        var sink = new List<(NatStep, NatState)>();
        for (var i = 0; i < order.Count; i++)
        {
            sink.Clear();
            sem.Successors(order[i], sink);
            foreach (var (_, n) in sink)
            {
                if (seen.Add(n))
                {
                    order.Add(n);
                }
            }
        }

        return order;
    }
}
