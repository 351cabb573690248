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
/// Races (<see cref="ActorSymmetry.Races"/>): flows exchanged together with the concrete ports and marks they and their
/// rules name. Pinned here: the group found on the scale scenarios; that a rule, a range, a port class or a DST port
/// range that tells two ports apart prevents their exchange; and, for every reachable state s of small race scenarios
/// (two seed races, three UDP sockets with distinct source ports to a DNAT service, three TCP flows with distinct source
/// ports through a two-port SNAT range, and the shipped spec with races) and every exchange τ of two races, that τ(s) is reachable, the successors of
/// τ(s) are exactly the images of the successors of s, every property gives the same verdict, and each actor's outcome
/// in τ(s) is its image's outcome in s.
/// </summary>
public sealed class RaceSymmetryTests
{
    private const string Header = """
        description: race symmetry test scenario
        profile: linux-6.12
        interfaces:
          veth0: 198.51.100.1
        """;

    private static string TwoRaces(string rules = """
          -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
          -A POSTROUTING -p tcp -m mark --mark 0x65 -j SNAT --to-source 198.51.100.1:12346
        """) => $$"""
        name: race-two
        {{Header}}
        ruleset: |
          *nat
          :POSTROUTING ACCEPT [0:0]
        {{rules}}
          COMMIT
        actors:
          - { name: thief1, flow: "198.51.100.1:54321 -> 198.51.100.2:80", mark: 0x64 }
          - { name: client1, flow: "198.51.100.1:12345 -> 198.51.100.2:80", mark: 0xc8 }
          - { name: thief2, flow: "198.51.100.1:54322 -> 198.51.100.2:80", mark: 0x65 }
          - { name: client2, flow: "198.51.100.1:12346 -> 198.51.100.2:80", mark: 0xc8 }
        """;

    private static string Sockets(string rules, string proto, string path, params int[] ports) => $$"""
        name: race-sockets
        {{Header}}
        ruleset: |
          *nat
          :OUTPUT ACCEPT [0:0]
          :POSTROUTING ACCEPT [0:0]
        {{rules}}
          COMMIT
        actors:
        {{string.Join("\n", ports.Select((p, k) => $"  - {{ name: s{k + 1}, proto: {proto}, flow: \"198.51.100.1:{p} -> 203.0.113.10:53\", path: {path} }}"))}}
        """;

    private const string DnsRules = """
          -A OUTPUT -d 203.0.113.10/32 -p udp -m udp --dport 53 -m statistic --mode random --probability 0.5 -j DNAT --to-destination 192.0.2.53:53
          -A OUTPUT -d 203.0.113.10/32 -p udp -m udp --dport 53 -j DNAT --to-destination 192.0.2.54:53
        """;

    private const string TwoPortSnat = """
          -A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.1:5000-5001
        """;

    public static TheoryData<string> RaceScenarios() => new()
    {
        "two-races", "dns-sockets", "tcp-two-port", "specs/k8s/dns-three-sockets-two-endpoints.yaml",
    };

    [Fact]
    public void The_scale_scenarios_have_the_races_they_were_built_for()
    {
        var three = Symmetry(Corpus.Load("specs/scale/three-seed-races.yaml"));
        Assert.Empty(three.Classes);
        var races = Assert.Single(three.Races);
        Assert.Equal([[0, 1], [2, 3], [4, 5]], races.Races.Select(r => r.ToList()));
        Assert.Equal([[12345, 54321], [12346, 54322], [12347, 54323]], races.Ports.Select(r => r.ToList()));
        Assert.Equal([[0x64u], [0x65u], [0x66u]], races.Marks.Select(r => r.ToList()));

        foreach (var name in new[] { "specs/scale/dns-6-sockets.yaml", "specs/scale/tcp-six-through-4-port-snat.yaml" })
        {
            var type = Assert.Single(Symmetry(Corpus.Load(name)).Races);
            Assert.Equal(Enumerable.Range(0, 6).Select(a => new List<int> { a }), type.Races.Select(r => r.ToList()));
            Assert.Equal(Enumerable.Range(40001, 6).Select(p => new List<int> { p }), type.Ports.Select(r => r.ToList()));
        }
    }

    [Fact]
    public void Shipped_specs_with_races_exist_so_the_corpus_comparison_covers_port_renaming()
    {
        // ProductSymmetryTests compares sym and por+sym with the unreduced search on every shipped spec; this pins
        // that some of those specs (outside specs/scale, which that comparison also loads) exchange ports.
        var withRaces = Corpus.SpecFiles()
            .Select(Corpus.Relative)
            .Where(f => !f.StartsWith("specs/scale", StringComparison.Ordinal))
            .Where(f => Symmetry(Corpus.Load(f)).Races.Count > 0)
            .ToList();
        Assert.NotEmpty(withRaces);
    }

    [Fact]
    public void Races_selected_by_source_port_instead_of_mark_are_found_too()
    {
        var spec = Parse(TwoRaces("""
              -A POSTROUTING -p tcp -m tcp --sport 54321 -j SNAT --to-source 198.51.100.1:12345
              -A POSTROUTING -p tcp -m tcp --sport 54322 -j SNAT --to-source 198.51.100.1:12346
            """).Replace("mark: 0x64", "mark: 0x1").Replace("mark: 0x65", "mark: 0x1", StringComparison.Ordinal));
        var type = Assert.Single(Symmetry(spec).Races);
        Assert.Equal([[0, 1], [2, 3]], type.Races.Select(r => r.ToList()));
    }

    [Theory]
    [InlineData("a --sport match names one of the ports", "  -A OUTPUT -p udp -m udp --sport 40001 -j ACCEPT")]
    [InlineData("a --sport range cuts between the ports", "  -A OUTPUT -p udp -m udp --sport 40000:40001 -j ACCEPT")]
    [InlineData("a multiport set holds one of them", "  -A OUTPUT -p udp -m multiport --sports 40002,40009 -j ACCEPT")]
    [InlineData("a SNAT range holds one of them", "  -A POSTROUTING -p udp -j SNAT --to-source 198.51.100.1:40000-40001")]
    [InlineData("a rule that cannot be renamed (multiport) DNATs to one of them", "  -A OUTPUT -p udp -m multiport --dports 53,54 -j DNAT --to-destination 192.0.2.1:40001")]
    [InlineData("a DNAT port range (walked from its first port under 6.x) holds them", "  -A OUTPUT -p udp -j DNAT --to-destination 192.0.2.1:40001-40002")]
    public void A_rule_that_tells_the_ports_apart_prevents_their_exchange(string why, string rule)
    {
        var spec = Parse(Sockets(rule, "udp", "local-out", 40001, 40002));
        Assert.True(Symmetry(spec).Races.Count == 0, why);

        // Without the rule the two sockets are interchangeable.
        Assert.Single(Symmetry(Parse(Sockets(string.Empty, "udp", "local-out", 40001, 40002))).Races);
    }

    [Fact]
    public void Rules_that_decide_a_flow_do_not_change_places()
    {
        // A DROP rule's index is the dropped flow's outcome detail (filtered:filter/OUTPUT#1), so exchanging the two
        // sockets together with their DROP rules would not map outcomes to outcomes.
        var drops = Sockets("  COMMIT\n  *filter\n  :OUTPUT ACCEPT [0:0]\n  -A OUTPUT -p udp -m udp --sport 40001 -j DROP\n  -A OUTPUT -p udp -m udp --sport 40002 -j DROP", "udp", "local-out", 40001, 40002);
        Assert.Empty(Symmetry(Parse(drops)).Races);
        var snats = Sockets("  -A POSTROUTING -p udp -m udp --sport 40001 -j SNAT --to-source 198.51.100.1:50001\n  -A POSTROUTING -p udp -m udp --sport 40002 -j SNAT --to-source 198.51.100.1:50002", "udp", "local-out", 40001, 40002);
        Assert.Single(Symmetry(Parse(snats)).Races);
    }

    [Fact]
    public void Ports_of_different_kernel_port_classes_are_not_exchanged()
    {
        // nf_nat_l4proto_unique_tuple searches a null binding's port class (1-511, 600-1023, 1024-65535).
        Assert.Empty(Symmetry(Parse(Sockets(string.Empty, "udp", "local-out", 1000, 2000))).Races);
        Assert.Single(Symmetry(Parse(Sockets(string.Empty, "udp", "local-out", 700, 800))).Races);
    }

    [Fact]
    public void A_partial_mark_mask_that_tells_the_marks_apart_prevents_the_exchange()
    {
        var spec = Parse(TwoRaces("""
              -A POSTROUTING -p tcp -m mark --mark 0x64/0xff -j SNAT --to-source 198.51.100.1:12345
              -A POSTROUTING -p tcp -m mark --mark 0x65/0xff -j SNAT --to-source 198.51.100.1:12346
            """));
        Assert.Empty(Symmetry(spec).Races);
    }

    [Fact]
    public void Rules_that_are_not_mutually_exclusive_keep_their_ports_apart()
    {
        // One mask matches both thieves: the first rule SNATs both onto 12345 and the second is dead. The thieves alone
        // are interchangeable (with their marks); the clients are not, since exchanging 12345 and 12346 would exchange
        // two rules that can match the same packet, and the first match wins.
        var spec = Parse(TwoRaces("""
              -A POSTROUTING -p tcp -m mark --mark 0x60/0xf0 -j SNAT --to-source 198.51.100.1:12345
              -A POSTROUTING -p tcp -m mark --mark 0x60/0xf0 -j SNAT --to-source 198.51.100.1:12346
            """));
        var type = Assert.Single(Symmetry(spec).Races);
        Assert.Equal([[0], [2]], type.Races.Select(r => r.ToList()));
    }

    [Fact]
    public void Under_a_mutant_or_with_an_order_constraint_there_are_no_races()
    {
        var spec = Parse(TwoRaces());
        Assert.Single(Symmetry(spec).Races);
        foreach (var mutant in Enum.GetValues<KernelMutant>().Where(m => m != KernelMutant.None))
        {
            Assert.False(ActorSymmetry.Of(new NatSemantics(spec.Model, spec.Profile, mutant)).Reduces);
        }

        var ordered = Parse(TwoRaces() + "\norder:\n  - thief1.confirm < client1.src-nat\n");
        Assert.Empty(Symmetry(ordered).Races);
    }

    [Fact]
    public void The_deterministic_DST_port_walk_tells_ports_apart()
    {
        // Why a DST port range pins the ports inside it: under linux-6.12 a DNAT without a random flag takes the lowest
        // free port of its range (nf_nat_l4proto_unique_tuple: off = 0 for NF_NAT_MANIP_DST). Two sockets 40001 and
        // 40002 DNATed into 40001-40002 both get 40001; exchanging the sockets together with 40001<->40002 maps a
        // reachable state to one that is not reachable, so this renaming is no symmetry, and none is found.
        var spec = Parse(Sockets("  -A OUTPUT -p udp -j DNAT --to-destination 192.0.2.1:40001-40002", "udp", "local-out", 40001, 40002));
        Assert.Empty(Symmetry(spec).Races);
        var semantics = new NatSemantics(spec.Model, spec.Profile, KernelMutant.None);
        var reachable = Reachable(new ConntrackSystem(semantics));
        var swap = new Renaming([1, 0], [40001, 40002], [40002, 40001], [], []);
        Assert.Contains(reachable, s => !reachable.Contains(swap.Apply(s)));
    }

    [Theory]
    [MemberData(nameof(RaceScenarios))]
    public void Exchanging_races_maps_runs_properties_and_outcomes(string name)
    {
        var spec = Load(name);
        var semantics = new NatSemantics(spec.Model, spec.Profile, KernelMutant.None);
        var symmetry = ActorSymmetry.Of(semantics);
        var type = Assert.Single(symmetry.Races);
        var catalog = new PropertyCatalog(semantics);
        var system = new ConntrackSystem(semantics);
        var identity = Enumerable.Range(0, semantics.Initial.Count).ToArray();
        var swaps = new List<Renaming>();
        for (var a = 0; a < type.Races.Length; a++)
        {
            for (var b = a + 1; b < type.Races.Length; b++)
            {
                var perm = Enumerable.Range(0, type.Races.Length).ToArray();
                (perm[a], perm[b]) = (b, a);
                swaps.Add(symmetry.Arrange(identity, [perm]));
            }
        }

        var seen = Reachable(system);
        var representatives = new HashSet<NatState>();
        foreach (var state in seen)
        {
            var successors = Successors(system, state).ToHashSet();
            foreach (var swap in swaps)
            {
                Assert.False(swap.ActorsOnly);
                var image = swap.Apply(state);
                Assert.Contains(image, seen);
                Assert.True(
                    Successors(system, image).ToHashSet().SetEquals(successors.Select(swap.Apply)),
                    $"successors of an exchanged state are not the exchanged successors in {name}");
                foreach (var id in PropertyIds.All)
                {
                    Assert.Equal(catalog.Check(id, state) is null, catalog.Check(id, image) is null);
                }

                for (var i = 0; i < state.Count; i++)
                {
                    Assert.Equal(semantics.OutcomeOf(state, swap.From[i]), semantics.OutcomeOf(image, i));
                }
            }

            var canonical = symmetry.Canonical(state);
            Assert.Contains(canonical, seen);
            representatives.Add(canonical);
        }

        // The representatives merge states: with two or more races there are fewer of them than states.
        Assert.True(representatives.Count < seen.Count, $"{representatives.Count} representatives of {seen.Count} states");
    }

    [Theory]
    [MemberData(nameof(RaceScenarios))]
    public void Race_reduced_check_reports_what_the_unreduced_check_reports(string name)
    {
        var spec = Load(name);
        var full = Verifier.Check(spec, Settings(symmetry: false, por: false));
        foreach (var por in new[] { false, true })
        {
            var reduced = Verifier.Check(spec, Settings(symmetry: true, por));
            Assert.NotEmpty(reduced.SymmetryRaces);
            Assert.Equal(full.Verdict, reduced.Verdict);
            Assert.Equal(full.ViolatedProperties, reduced.ViolatedProperties);
            Assert.Equal(full.ExpectationFailures, reduced.ExpectationFailures);
            Assert.Equal(
                full.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(StringComparer.Ordinal),
                reduced.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(StringComparer.Ordinal));
            Assert.True(reduced.Stats.StatesStored < full.Stats.StatesStored);

            // Counts are of the searched graph: an outcome implied by renaming has no terminal state of its own and
            // names the reached outcome it renames (the same outcomes, rearranged).
            Assert.Equal(reduced.Stats.TerminalStates, reduced.Outcomes.Joint.Sum(j => j.TerminalStates));
            foreach (var joint in reduced.Outcomes.Joint.Where(j => j.RenamedFrom >= 0))
            {
                var from = reduced.Outcomes.Joint[joint.RenamedFrom];
                Assert.Equal(0, joint.TerminalStates);
                Assert.True(from.RenamedFrom < 0 && from.TerminalStates > 0);
                Assert.Equal(from.Outcomes.Select(o => o.ToString()).Order(StringComparer.Ordinal), joint.Outcomes.Select(o => o.ToString()).Order(StringComparer.Ordinal));
            }

            // Every witness, those of outcomes added by exchanging races included, is a run of the unreduced relation.
            var system = new ConntrackSystem(reduced.Semantics);
            foreach (var joint in reduced.Outcomes.Joint)
            {
                var state = joint.Witness.Initial;
                foreach (var step in joint.Witness.Steps)
                {
                    Assert.Contains(step.Next, Successors(system, state));
                    state = step.Next;
                }

                Assert.Equal(joint.Outcomes, Enumerable.Range(0, state.Count).Select(i => reduced.Semantics.OutcomeOf(state, i)));
            }
        }
    }

    private static CheckSettings Settings(bool symmetry, bool por) => new()
    {
        Symmetry = symmetry,
        Options = new CheckerOptions { StopAtFirstViolation = false, PartialOrderReduction = por },
    };

    private static ActorSymmetry Symmetry(ScenarioSpec spec) => ActorSymmetry.Of(new NatSemantics(spec.Model, spec.Profile, KernelMutant.None));

    private static ScenarioSpec Parse(string yaml) => SpecLoader.Parse(yaml, "race.yaml");

    private static ScenarioSpec Load(string name) => name switch
    {
        "two-races" => Parse(TwoRaces()),
        "dns-sockets" => Parse(Sockets(DnsRules, "udp", "local-out", 40001, 40002, 40003)),
        "tcp-two-port" => Parse(Sockets(TwoPortSnat, "tcp", "local-out", 40001, 40002, 40003)),
        _ => Corpus.Load(name),
    };

    private static HashSet<NatState> Reachable(ConntrackSystem system)
    {
        var seen = new HashSet<NatState> { system.Semantics.Initial };
        var queue = new Queue<NatState>(seen);
        while (queue.Count > 0)
        {
            foreach (var next in Successors(system, queue.Dequeue()).Where(seen.Add))
            {
                queue.Enqueue(next);
            }
        }

        return seen;
    }

    private static IEnumerable<NatState> Successors(ConntrackSystem system, NatState state)
    {
        var list = new List<Transition<NatState, NatStep>>();
        system.Successors(state, list);
        return list.Select(t => t.Next);
    }
}
