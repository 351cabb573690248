using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// <see cref="ActorSymmetry"/> is a symmetry of the model where symmetry reduction relies on it: for every reachable
/// state s of the specs below (every shipped spec with interchangeable actors, and small scenarios built for it: one
/// socket's identical packets to a DNAT service, identical TCP flows masqueraded into a wide range so that fresh ports
/// and null bindings occur, identical flows beside a distinct one through a two-port SNAT range), and every swap τ of
/// two interchangeable actors: τ(s) is reachable, the successors of τ(s) are exactly the images of the successors of s,
/// every property gives the same verdict in both, and each actor's outcome in τ(s) is its partner's outcome in s.
/// </summary>
public sealed class ActorSymmetryTests
{
    private const string Header = """
        description: symmetry test scenario
        profile: linux-6.12
        interfaces:
          veth0: 198.51.100.1
        """;

    private static readonly string DnsThreePackets = $$"""
        name: sym-dns-three
        {{Header}}
        ruleset: |
          *nat
          :OUTPUT ACCEPT [0:0]
          :SVC - [0:0]
          -A OUTPUT -d 203.0.113.10/32 -p udp -m udp --dport 53 -j SVC
          -A SVC -p udp -m statistic --mode random --probability 0.5 -j DNAT --to-destination 192.0.2.53:53
          -A SVC -p udp -j DNAT --to-destination 192.0.2.54:53
          COMMIT
        actors:
          - { name: q1, proto: udp, flow: "198.51.100.1:40000 -> 203.0.113.10:53", path: local-out }
          - { name: q2, proto: udp, flow: "198.51.100.1:40000 -> 203.0.113.10:53", path: local-out }
          - { name: q3, proto: udp, flow: "198.51.100.1:40000 -> 203.0.113.10:53", path: local-out }
        """;

    private static readonly string MasqueradeWide = $$"""
        name: sym-masquerade
        {{Header}}
        ruleset: |
          *nat
          :POSTROUTING ACCEPT [0:0]
          -A POSTROUTING -p udp -j MASQUERADE --to-ports 2000-40000
          COMMIT
        actors:
          - { name: a1, proto: udp, flow: "10.0.0.2:5000 -> 198.51.100.2:80", path: forward }
          - { name: a2, proto: udp, flow: "10.0.0.2:5000 -> 198.51.100.2:80", path: forward }
          - { name: a3, proto: udp, flow: "10.0.0.2:5000 -> 198.51.100.2:80", path: forward }
          - { name: b, proto: udp, flow: "10.0.0.3:5000 -> 198.51.100.2:80", path: forward }
        """;

    private static readonly string TwoPortSnat = $$"""
        name: sym-two-port
        {{Header}}
        ruleset: |
          *nat
          :POSTROUTING ACCEPT [0:0]
          -A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.1:6000-6001
          COMMIT
        actors:
          - { name: c1, flow: "10.0.0.2:7000 -> 198.51.100.2:80", path: forward }
          - { name: c2, flow: "10.0.0.3:7000 -> 198.51.100.2:80", path: forward }
          - { name: c3, flow: "10.0.0.3:7000 -> 198.51.100.2:80", path: forward }
        """;

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string> { "inline:dns", "inline:masquerade", "inline:two-port" };
        foreach (var file in Corpus.SpecFiles())
        {
            var spec = SpecLoader.LoadFile(file);
            if (ActorSymmetry.Of(new NatSemantics(spec.Model, spec.Profile, KernelMutant.None)).Classes.Count > 0)
            {
                data.Add(Corpus.Relative(file));
            }
        }

        return data;
    }

    [Fact]
    public void The_built_scenarios_have_the_classes_they_were_built_for()
    {
        Assert.Equal([[0, 1, 2]], Classes("inline:dns"));
        Assert.Equal([[0, 1, 2]], Classes("inline:masquerade"));
        Assert.Equal([[1, 2]], Classes("inline:two-port"));
    }

    [Fact]
    public void Ordered_targeted_and_mutant_actors_are_not_interchangeable()
    {
        // The seed race orders its flows; under a mutant, lookups may meet two equal linked tuples and pick by index.
        Assert.False(ActorSymmetry.Of(Semantics(Corpus.Load("specs/seed/race-thief.yaml"), KernelMutant.None)).Reduces);
        Assert.True(ActorSymmetry.Of(Semantics(Load("inline:dns"), KernelMutant.None)).Reduces);
        foreach (var mutant in Enum.GetValues<KernelMutant>().Where(m => m != KernelMutant.None))
        {
            Assert.False(ActorSymmetry.Of(Semantics(Load("inline:dns"), mutant)).Reduces);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Swapping_interchangeable_actors_maps_runs_properties_and_outcomes(string name)
    {
        var spec = Load(name);
        var semantics = Semantics(spec, KernelMutant.None);
        var symmetry = ActorSymmetry.Of(semantics);
        var catalog = new PropertyCatalog(semantics);
        var system = new ConntrackSystem(semantics);
        var swaps = symmetry.Classes.SelectMany(c => c.SelectMany(a => c.Where(b => b > a).Select(b => Swap(semantics.Initial.Count, a, b)))).ToList();
        Assert.NotEmpty(swaps);

        var seen = new HashSet<NatState> { semantics.Initial };
        var queue = new Queue<NatState>(seen);
        var all = new List<NatState>();
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            all.Add(state);
            foreach (var next in Successors(system, state))
            {
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        foreach (var state in all)
        {
            var successors = Successors(system, state).ToHashSet();
            foreach (var swap in swaps)
            {
                var image = ActorSymmetry.Permute(state, swap);
                Assert.Contains(image, seen);
                Assert.True(
                    Successors(system, image).ToHashSet().SetEquals(successors.Select(t => ActorSymmetry.Permute(t, swap))),
                    $"successors of a swapped state are not the swapped successors in {name}");
                foreach (var id in PropertyIds.All)
                {
                    Assert.Equal(catalog.Check(id, state) is null, catalog.Check(id, image) is null);
                }

                for (var i = 0; i < state.Count; i++)
                {
                    Assert.Equal(semantics.OutcomeOf(state, swap[i]), semantics.OutcomeOf(image, i));
                }

                // The representative is a reachable state (an exact image of this one).
                Assert.Contains(symmetry.Canonical(state), seen);
            }
        }
    }

    [Fact]
    public void Every_member_of_an_orbit_gets_one_representative_on_the_dns_scenario()
    {
        // Completeness is not needed for soundness, but it is what makes the reduction pay: in the DNS scenario no two
        // packets hold fresh ports, so the sort by contents puts every member of an orbit on one representative.
        var semantics = Semantics(Load("inline:dns"), KernelMutant.None);
        var symmetry = ActorSymmetry.Of(semantics);
        var system = new ConntrackSystem(semantics);
        var seen = new HashSet<NatState> { semantics.Initial };
        var queue = new Queue<NatState>(seen);
        var swap = Swap(semantics.Initial.Count, 0, 2);
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            Assert.Equal(symmetry.Canonical(state), symmetry.Canonical(ActorSymmetry.Permute(state, swap)));
            foreach (var next in Successors(system, state).Where(seen.Add))
            {
                queue.Enqueue(next);
            }
        }
    }

    private static int[] Swap(int n, int a, int b)
    {
        var from = Enumerable.Range(0, n).ToArray();
        (from[a], from[b]) = (b, a);
        return from;
    }

    private static List<List<int>> Classes(string name) =>
        [.. ActorSymmetry.Of(Semantics(Load(name), KernelMutant.None)).Classes.Select(c => c.ToList())];

    private static NatSemantics Semantics(ScenarioSpec spec, KernelMutant mutant) => new(spec.Model, spec.Profile, mutant);

    private static IEnumerable<NatState> Successors(ConntrackSystem system, NatState state)
    {
        var list = new List<Transition<NatState, NatStep>>();
        system.Successors(state, list);
        return list.Select(t => t.Next);
    }

    internal static ScenarioSpec Load(string name) => name switch
    {
        "inline:dns" => SpecLoader.Parse(DnsThreePackets, "sym-dns.yaml"),
        "inline:masquerade" => SpecLoader.Parse(MasqueradeWide, "sym-masquerade.yaml"),
        "inline:two-port" => SpecLoader.Parse(TwoPortSnat, "sym-two-port.yaml"),
        _ => Corpus.Load(name),
    };
}
