using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;

namespace NatVerify.Model.Semantics;

/// <summary>
/// A class of interchangeable <em>races</em>: groups of actors that, together with the concrete ports and marks only they
/// (and the rules serving them) name, can be exchanged as a whole. Race <c>a</c>'s actor in role <c>r</c> is
/// <c>Races[a][r]</c>, its k-th port <c>Ports[a][k]</c>, its k-th mark <c>Marks[a][k]</c>; exchanging races a and b maps
/// each to the other role by role, port by port and mark by mark, and fixes everything else. Every such exchange was
/// checked to be an automorphism of the scenario (<see cref="RaceFinder"/>), so every permutation of the races is.
/// </summary>
public sealed record RaceType(int[][] Races, int[][] Ports, uint[][] Marks);

/// <summary>
/// Finds the race types of a scenario: the renamings of flows together with concrete ports and marks under which the
/// scenario (actors, ruleset, port universe, kernel's port search) is invariant (docs/port-abstraction.md, "Symmetry
/// between races"). Everything not shown invariant is refused: the result is a subgroup of the true symmetry group.
/// </summary>
internal sealed class RaceFinder
{
    private static readonly IReadOnlyList<MatchTerm> NoTerms = [];
    private static readonly Swap NoSwap = new(0);
    private readonly ScenarioModel _scenario;
    private readonly bool[] _eligible;
    private readonly HashSet<int> _fixedPorts = [0];
    private readonly HashSet<uint> _fixedMarks = [0];
    private readonly List<(int Chain, int Index, NatRule Rule)> _rules = [];
    private readonly List<NatChain> _chains = [];

    private RaceFinder(ScenarioModel scenario, bool[] excluded)
    {
        _scenario = scenario;
        var n = scenario.Actors.Count;
        _eligible = new bool[n];
        for (var i = 0; i < n; i++)
        {
            // ICMP ids and portless protocols stay fixed: a DST manip (null binding included) walks ICMP ids from 0 in
            // order under 6.x (see UniqueL4), which tells ids apart.
            _eligible[i] = !excluded[i] && scenario.Actors[i] is FlowActor f
                && f.Original.Protocol is L4Protocol.Tcp or L4Protocol.Udp;
        }

        foreach (var port in scenario.NamedPorts())
        {
            _fixedPorts.Add(port);
        }

        for (var i = 0; i < n; i++)
        {
            if (_eligible[i])
            {
                var f = (FlowActor)scenario.Actors[i];
                _fixedPorts.Remove(f.Original.SrcPort.Raw);
                _fixedPorts.Remove(f.Original.DstPort.Raw);
            }
        }

        // Ports and marks of the actors that stay put are fixed (a port both an eligible flow and a fixed actor name).
        for (var i = 0; i < n; i++)
        {
            switch (scenario.Actors[i])
            {
                case FlowActor f when !_eligible[i]:
                    _fixedPorts.Add(f.Original.SrcPort.Raw);
                    _fixedPorts.Add(f.Original.DstPort.Raw);
                    _fixedMarks.Add(f.Mark);
                    break;
                case CtnetlinkInsert c:
                    foreach (var t in new[] { c.Original, c.Reply })
                    {
                        _fixedPorts.Add(t.SrcPort.Raw);
                        _fixedPorts.Add(t.DstPort.Raw);
                    }

                    break;
            }
        }

        foreach (var d in scenario.Actors.OfType<CtnetlinkDelete>())
        {
            foreach (var partial in new[] { d.Filter.Original, d.Filter.Reply })
            {
                if (partial.SrcPort is { } sp)
                {
                    _fixedPorts.Add(sp);
                }

                if (partial.DstPort is { } dp)
                {
                    _fixedPorts.Add(dp);
                }
            }
        }

        var seen = new HashSet<NatChain>(ReferenceEqualityComparer.Instance);
        var chains = scenario.Ruleset.Tables.SelectMany(t => t.Chains.Values).Concat(scenario.Ruleset.Chains.Values);
        foreach (var chain in chains)
        {
            if (!seen.Add(chain))
            {
                continue;
            }

            _chains.Add(chain);
            for (var k = 0; k < chain.Rules.Count; k++)
            {
                _rules.Add((_chains.Count - 1, k, chain.Rules[k]));
            }
        }
    }

    /// <summary>The race types of the scenario among the actors not <paramref name="excluded"/>.</summary>
    public static RaceType[] Find(ScenarioModel scenario, bool[] excluded)
    {
        var finder = new RaceFinder(scenario, excluded);
        return finder.FindTypes();
    }

    /// <summary>
    /// The swap seeded by exchanging flows <paramref name="i"/> and <paramref name="j"/>, checked, or null when it is not
    /// an automorphism (or not shown to be one). Exposed for tests.
    /// </summary>
    internal static Swap? TrySwap(ScenarioModel scenario, bool[] excluded, int i, int j)
    {
        var finder = new RaceFinder(scenario, excluded);
        return finder.Closure(i, j) is { } s && finder.Verify(s) ? s : null;
    }

    private RaceType[] FindTypes()
    {
        var n = _scenario.Actors.Count;
        var assigned = new bool[n];
        var types = new List<RaceType>();
        for (var i = 0; i < n; i++)
        {
            if (!_eligible[i] || assigned[i])
            {
                continue;
            }

            int[]? r0 = null;
            int[] p0 = [];
            uint[] m0 = [];
            var races = new List<int[]>();
            var ports = new List<int[]>();
            var marks = new List<uint[]>();
            var taken = new HashSet<int>();
            for (var j = i + 1; j < n; j++)
            {
                if (!_eligible[j] || assigned[j] || taken.Contains(j) || Shape((FlowActor)_scenario.Actors[i]) != Shape((FlowActor)_scenario.Actors[j]))
                {
                    continue;
                }

                if (Closure(i, j) is not { } swap || !Verify(swap) || Split(swap, i) is not { } mine)
                {
                    continue;
                }

                if (r0 is null)
                {
                    r0 = [.. mine.Actors.Order()];
                    p0 = [.. mine.Ports.Order()];
                    m0 = [.. mine.Marks.Order()];
                    if (r0.Any(a => assigned[a]))
                    {
                        break;
                    }

                    races.Add(r0);
                    ports.Add(p0);
                    marks.Add(m0);
                    taken.UnionWith(r0);
                }
                else if (!mine.Actors.SetEquals(r0))
                {
                    continue;
                }

                var image = r0.Select(a => swap.Actors[a]).ToArray();
                if (image.Any(a => assigned[a] || taken.Contains(a)))
                {
                    continue;
                }

                races.Add(image);
                ports.Add([.. p0.Select(p => swap.Ports[p])]);
                marks.Add([.. m0.Select(m => swap.Marks[m])]);
                taken.UnionWith(image);
            }

            // Every exchange of two races must be an automorphism (those with the first race are checked above).
            for (var b = 2; b < races.Count; b++)
            {
                var ok = true;
                for (var a = 1; a < b && ok; a++)
                {
                    ok = Closure(races[a][0], races[b][0]) is { } s && Verify(s) && Exchanges(s, races[a], races[b], ports[a], ports[b], marks[a], marks[b]);
                }

                if (!ok)
                {
                    races.RemoveAt(b);
                    ports.RemoveAt(b);
                    marks.RemoveAt(b);
                    b--;
                }
            }

            if (races.Count > 1)
            {
                foreach (var race in races)
                {
                    foreach (var a in race)
                    {
                        assigned[a] = true;
                    }
                }

                types.Add(new RaceType([.. races], [.. ports], [.. marks]));
            }
        }

        return [.. types];
    }

    /// <summary>True when the swap exchanges exactly the two races, role by role, and nothing else.</summary>
    private static bool Exchanges(Swap s, int[] ra, int[] rb, int[] pa, int[] pb, uint[] ma, uint[] mb)
    {
        for (var r = 0; r < ra.Length; r++)
        {
            if (s.Actors[ra[r]] != rb[r])
            {
                return false;
            }
        }

        for (var k = 0; k < pa.Length; k++)
        {
            if (s.Ports.GetValueOrDefault(pa[k], pa[k]) != pb[k])
            {
                return false;
            }
        }

        for (var k = 0; k < ma.Length; k++)
        {
            if (s.Marks.GetValueOrDefault(ma[k], ma[k]) != mb[k])
            {
                return false;
            }
        }

        var movedActors = s.Actors.Select((b, a) => b != a).Count(x => x);
        return movedActors == 2 * ra.Length
            && s.Ports.Count(kv => kv.Key != kv.Value) == 2 * pa.Length
            && s.Marks.Count(kv => kv.Key != kv.Value) == 2 * ma.Length;
    }

    /// <summary>A checked swap: an involution on actors, concrete ports, marks and rules (global rule indexes).</summary>
    internal sealed class Swap(int actors)
    {
        public int[] Actors { get; } = Enumerable.Range(0, actors).ToArray();

        public Dictionary<int, int> Ports { get; } = [];

        public Dictionary<uint, uint> Marks { get; } = [];

        public Dictionary<int, int> Rules { get; } = [];

        public int Port(int p) => Ports.GetValueOrDefault(p, p);

        public uint Mark(uint m) => Marks.GetValueOrDefault(m, m);
    }

    /// <summary>The side of <paramref name="i"/> of a swap: the actors, ports and marks connected to it by moved values.</summary>
    private (HashSet<int> Actors, HashSet<int> Ports, HashSet<uint> Marks)? Split(Swap swap, int i)
    {
        var actors = new HashSet<int> { i };
        var ports = new HashSet<int>();
        var marks = new HashSet<uint>();
        var rules = new HashSet<int>();
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var a in actors.ToList())
            {
                var f = (FlowActor)_scenario.Actors[a];
                changed |= AddPort(f.Original.SrcPort.Raw) | AddPort(f.Original.DstPort.Raw) | AddMark(f.Mark);
            }

            foreach (var r in rules.ToList())
            {
                var (rp, rm) = RuleValues(_rules[r].Rule);
                foreach (var p in rp)
                {
                    changed |= AddPort(p);
                }

                foreach (var m in rm)
                {
                    changed |= AddMark(m);
                }
            }

            for (var a = 0; a < _scenario.Actors.Count; a++)
            {
                if (swap.Actors[a] != a && !actors.Contains(a) && _scenario.Actors[a] is FlowActor f
                    && (ports.Contains(f.Original.SrcPort.Raw) || ports.Contains(f.Original.DstPort.Raw) || marks.Contains(f.Mark)))
                {
                    changed |= actors.Add(a);
                }
            }

            foreach (var (r, image) in swap.Rules)
            {
                if (r != image && !rules.Contains(r))
                {
                    var (rp, rm) = RuleValues(_rules[r].Rule);
                    if (rp.Any(ports.Contains) || rm.Any(marks.Contains))
                    {
                        changed |= rules.Add(r);
                    }
                }
            }
        }

        // The two sides must be disjoint images of each other and cover everything the swap moves.
        var other = actors.Select(a => swap.Actors[a]).ToHashSet();
        if (other.Overlaps(actors) || ports.Any(p => ports.Contains(swap.Port(p))) || marks.Any(m => marks.Contains(swap.Mark(m))))
        {
            return null;
        }

        var movedActors = swap.Actors.Where((b, a) => b != a).Count();
        var movedPorts = swap.Ports.Count(kv => kv.Key != kv.Value);
        var movedMarks = swap.Marks.Count(kv => kv.Key != kv.Value);
        if (movedActors != 2 * actors.Count || movedPorts != 2 * ports.Count || movedMarks != 2 * marks.Count)
        {
            return null;
        }

        return (actors, ports, marks);

        bool AddPort(int p) => swap.Port(p) != p && ports.Add(p);

        bool AddMark(uint m) => swap.Mark(m) != m && marks.Add(m);
    }

    private static FlowActor Shape(FlowActor f) => f with
    {
        Name = string.Empty,
        Mark = 0,
        Original = f.Original with { SrcPort = Port.Of(0), DstPort = Port.Of(0) },
    };

    /// <summary>
    /// The smallest involution that exchanges flows <paramref name="i"/> and <paramref name="j"/> and is closed: every
    /// flow or rule naming a moved port or mark is mapped to the flow or rule equal to its renaming. Null when that
    /// runs into a contradiction (a fixed value would move, no image exists).
    /// </summary>
    private Swap? Closure(int i, int j)
    {
        var swap = new Swap(_scenario.Actors.Count);
        var pendingPorts = new Queue<int>();
        var pendingMarks = new Queue<uint>();
        if (!PairActors(i, j))
        {
            return null;
        }

        while (pendingPorts.Count > 0 || pendingMarks.Count > 0)
        {
            int? port = pendingPorts.Count > 0 ? pendingPorts.Dequeue() : null;
            uint? mark = port is null ? pendingMarks.Dequeue() : null;
            for (var a = 0; a < _scenario.Actors.Count; a++)
            {
                if (_scenario.Actors[a] is not FlowActor f || swap.Actors[a] != a || !Uses(f, port, mark))
                {
                    continue;
                }

                if (!_eligible[a])
                {
                    return null;
                }

                var found = false;
                for (var b = 0; b < _scenario.Actors.Count && !found; b++)
                {
                    if (b != a && _eligible[b] && swap.Actors[b] == b && Shape((FlowActor)_scenario.Actors[b]) == Shape(f)
                        && Consistent(f, (FlowActor)_scenario.Actors[b]))
                    {
                        found = PairActors(a, b);
                    }
                }

                if (!found)
                {
                    return null;
                }
            }

            for (var r = 0; r < _rules.Count; r++)
            {
                if (swap.Rules.ContainsKey(r) || !Touchable(_rules[r].Rule))
                {
                    continue;
                }

                var (rp, rm) = RuleValues(_rules[r].Rule);
                if (!(port is { } p ? rp.Contains(p) : rm.Contains(mark!.Value)))
                {
                    continue;
                }

                var partner = -1;
                for (var q = 0; q < _rules.Count && partner < 0; q++)
                {
                    if (_rules[q].Chain == _rules[r].Chain && !swap.Rules.ContainsKey(q) && Touchable(_rules[q].Rule)
                        && Same(Rename(_rules[r].Rule, null), Rename(_rules[q].Rule, null))
                        && RuleConsistent(_rules[r].Rule, _rules[q].Rule))
                    {
                        partner = q;
                    }
                }

                if (partner < 0)
                {
                    return null;
                }

                swap.Rules[r] = partner;
                swap.Rules[partner] = r;
                var (qp, qm) = RuleValues(_rules[partner].Rule);
                for (var k = 0; k < rp.Count; k++)
                {
                    if (!PairPorts(rp[k], qp[k]))
                    {
                        return null;
                    }
                }

                for (var k = 0; k < rm.Count; k++)
                {
                    if (!PairMarks(rm[k], qm[k]))
                    {
                        return null;
                    }
                }
            }
        }

        return swap;

        bool PairActors(int a, int b)
        {
            swap.Actors[a] = b;
            swap.Actors[b] = a;
            var fa = (FlowActor)_scenario.Actors[a];
            var fb = (FlowActor)_scenario.Actors[b];
            return PairPorts(fa.Original.SrcPort.Raw, fb.Original.SrcPort.Raw)
                && PairPorts(fa.Original.DstPort.Raw, fb.Original.DstPort.Raw)
                && PairMarks(fa.Mark, fb.Mark);
        }

        bool PairPorts(int v, int w) => Pair(swap.Ports, _fixedPorts, pendingPorts, v, w);

        bool PairMarks(uint v, uint w) => Pair(swap.Marks, _fixedMarks, pendingMarks, v, w);

        // b can be a's image: its values equal the images of a's values where those are decided, and are not decided
        // to be something else where they are not.
        bool Consistent(FlowActor a, FlowActor b) =>
            PortFits(a.Original.SrcPort.Raw, b.Original.SrcPort.Raw) && PortFits(a.Original.DstPort.Raw, b.Original.DstPort.Raw) && MarkFits(a.Mark, b.Mark);

        bool RuleConsistent(NatRule a, NatRule b)
        {
            var (ap, am) = RuleValues(a);
            var (bp, bm) = RuleValues(b);
            if (ap.Count != bp.Count || am.Count != bm.Count)
            {
                return false;
            }

            for (var k = 0; k < ap.Count; k++)
            {
                if (!PortFits(ap[k], bp[k]))
                {
                    return false;
                }
            }

            for (var k = 0; k < am.Count; k++)
            {
                if (!MarkFits(am[k], bm[k]))
                {
                    return false;
                }
            }

            return true;
        }

        bool PortFits(int v, int w) => swap.Ports.TryGetValue(v, out var x) ? x == w : !swap.Ports.TryGetValue(w, out var y) || y == v;

        bool MarkFits(uint v, uint w) => swap.Marks.TryGetValue(v, out var x) ? x == w : !swap.Marks.TryGetValue(w, out var y) || y == v;

        static bool Uses(FlowActor f, int? port, uint? mark) => port is { } p
            ? f.Original.SrcPort.Raw == p || f.Original.DstPort.Raw == p
            : f.Mark == mark!.Value;
    }

    // Decides that v and w are exchanged (in both directions); false when either is already paired otherwise or must
    // stay fixed. A newly moved value is queued, so the rules and flows that name it are pulled into the swap.
    private static bool Pair<T>(Dictionary<T, T> swap, HashSet<T> fixedValues, Queue<T> pending, T v, T w)
        where T : struct, IEquatable<T>
    {
        if (swap.TryGetValue(v, out var x))
        {
            return x.Equals(w);
        }

        if (swap.TryGetValue(w, out var y))
        {
            return y.Equals(v);
        }

        swap[v] = w;
        swap[w] = v;
        if (v.Equals(w))
        {
            return true;
        }

        if (fixedValues.Contains(v) || fixedValues.Contains(w))
        {
            return false;
        }

        pending.Enqueue(v);
        pending.Enqueue(w);
        return true;
    }

    /// <summary>
    /// Checks that the swap is an automorphism: every flow maps to the flow equal to its renaming, moved ports keep
    /// their kernel port class, every rule maps to the rule equal to its renaming (a rule that names nothing moved
    /// must test every moved value like its image), rules change places only inside blocks of mutually exclusive,
    /// terminal, statement-free rules (so the first match is the same), and no moved port lies in a DST port range
    /// (6.x walks those from their first port: the order tells ports apart).
    /// </summary>
    private bool Verify(Swap swap)
    {
        foreach (var (p, q) in swap.Ports)
        {
            if (p != q && (p == 0 || q == 0 || PortUniverse.KernelPortClass(p) != PortUniverse.KernelPortClass(q)))
            {
                return false;
            }
        }

        foreach (var (m, u) in swap.Marks)
        {
            if (m != u && (m == 0 || u == 0))
            {
                return false;
            }
        }

        for (var a = 0; a < _scenario.Actors.Count; a++)
        {
            if (_scenario.Actors[a] is not FlowActor f)
            {
                continue;
            }

            var image = f with
            {
                Name = string.Empty,
                Mark = swap.Mark(f.Mark),
                Original = f.Original with { SrcPort = Port.Of(swap.Port(f.Original.SrcPort.Raw)), DstPort = Port.Of(swap.Port(f.Original.DstPort.Raw)) },
            };
            if (image != ((FlowActor)_scenario.Actors[swap.Actors[a]] with { Name = string.Empty }))
            {
                return false;
            }
        }

        var marksMove = swap.Marks.Any(kv => kv.Key != kv.Value);
        var portsMove = swap.Ports.Any(kv => kv.Key != kv.Value);
        var spans = new List<(int Chain, int Lo, int Hi)>();
        for (var r = 0; r < _rules.Count; r++)
        {
            var rule = _rules[r].Rule;
            if (!Invariant(rule, swap, marksMove, portsMove))
            {
                return false;
            }

            var partner = swap.Rules.GetValueOrDefault(r, r);
            if (Touchable(rule))
            {
                if (!Same(Rename(rule, swap), Rename(_rules[partner].Rule, NoSwap)))
                {
                    return false;
                }
            }
            else if (partner != r || RuleValues(rule).Ports.Any(p => swap.Port(p) != p) || RuleValues(rule).Marks.Any(m => swap.Mark(m) != m))
            {
                return false;
            }

            if (partner != r)
            {
                // A rule that changes place must never be a flow's decider: DROP, REJECT, and MASQUERADE/REDIRECT without
                // an address store their rule index in the slot (Slot.DecidedBy, the outcome's detail), which a
                // renaming does not rename. SNAT, DNAT and ACCEPT verdicts store none.
                if (rule.Target is not (SnatTarget or DnatTarget or AcceptTarget))
                {
                    return false;
                }

                spans.Add((_rules[r].Chain, Math.Min(_rules[r].Index, _rules[partner].Index), Math.Max(_rules[r].Index, _rules[partner].Index)));
            }
        }

        foreach (var chain in spans.GroupBy(s => s.Chain))
        {
            var merged = new List<(int Lo, int Hi)>();
            foreach (var (_, lo, hi) in chain.OrderBy(s => s.Lo))
            {
                if (merged.Count > 0 && lo <= merged[^1].Hi)
                {
                    merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, hi));
                }
                else
                {
                    merged.Add((lo, hi));
                }
            }

            var rules = _chains[chain.Key].Rules;
            foreach (var (lo, hi) in merged)
            {
                for (var x = lo; x <= hi; x++)
                {
                    if (!Touchable(rules[x]) || !Terminal(rules[x].Target))
                    {
                        return false;
                    }

                    for (var y = x + 1; y <= hi; y++)
                    {
                        if (!Disjoint(rules[x].Match, rules[y].Match))
                        {
                            return false;
                        }
                    }
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Every test of the rule that renaming does not rewrite gives the same answer for each moved value and its image:
    /// port ranges of matches and targets (single ports of touchable rules are rewritten instead), masked marks, set
    /// and concatenation lookups. Hash and counter selectors, mark arithmetic and unmodelled constructs are refused as
    /// soon as anything moves.
    /// </summary>
    private static bool Invariant(NatRule rule, Swap swap, bool marksMove, bool portsMove)
    {
        if (!marksMove && !portsMove)
        {
            return true;
        }

        var touchable = Touchable(rule);
        var m = rule.Match;
        if (m.SourcePort is { } sp && !(touchable && sp.Value.Min == sp.Value.Max) && !PortsKeep(sp.Value.Min, sp.Value.Max))
        {
            return false;
        }

        if (m.DestinationPort is { } dp && !(touchable && dp.Value.Min == dp.Value.Max) && !PortsKeep(dp.Value.Min, dp.Value.Max))
        {
            return false;
        }

        if (m.Mark is { } mk && !(touchable && mk.Value.Mask == uint.MaxValue))
        {
            foreach (var (v, w) in swap.Marks)
            {
                if (mk.Value.Matches(v) != mk.Value.Matches(w))
                {
                    return false;
                }
            }
        }

        foreach (var term in m.Terms)
        {
            switch (term)
            {
                case ValueTerm v when IsPortField(v.Field):
                    if (!v.Values.All(i => PortsKeep((int)i.Min, (int)Math.Min(i.Max, 65535))))
                    {
                        return false;
                    }

                    break;
                case ValueTerm v when v.Field is PacketField.Mark or PacketField.CtMark:
                    if (swap.Marks.Any(kv => v.Values.Any(i => i.Contains(kv.Key)) != v.Values.Any(i => i.Contains(kv.Value))))
                    {
                        return false;
                    }

                    break;
                case MaskedTerm mt when IsPortField(mt.Field):
                    if (swap.Ports.Any(kv => mt.Values.Any(i => i.Contains((uint)kv.Key & mt.Mask)) != mt.Values.Any(i => i.Contains((uint)kv.Value & mt.Mask))))
                    {
                        return false;
                    }

                    break;
                case MaskedTerm mt when mt.Field is PacketField.Mark or PacketField.CtMark:
                    if (swap.Marks.Any(kv => mt.Values.Any(i => i.Contains(kv.Key & mt.Mask)) != mt.Values.Any(i => i.Contains(kv.Value & mt.Mask))))
                    {
                        return false;
                    }

                    break;
                case ConcatTerm c:
                    for (var k = 0; k < c.Fields.Count; k++)
                    {
                        foreach (var element in c.Elements)
                        {
                            if (k >= element.Count)
                            {
                                continue;
                            }

                            var i = element[k];
                            if (IsPortField(c.Fields[k]) && !PortsKeep((int)i.Min, (int)Math.Min(i.Max, 65535)))
                            {
                                return false;
                            }

                            if (c.Fields[k] is PacketField.Mark or PacketField.CtMark && swap.Marks.Any(kv => i.Contains(kv.Key) != i.Contains(kv.Value)))
                            {
                                return false;
                            }
                        }
                    }

                    break;
                case SelectorTerm or UnmodelledTerm:
                    return false;
            }
        }

        if (marksMove && rule.Statements.Any(s => s is MarkStatement or UnmodelledStatement))
        {
            return false;
        }

        if (rule.Statements.Any(s => s is UnmodelledStatement) || rule.Target is UnmodelledTarget)
        {
            return false;
        }

        switch (rule.Target)
        {
            case SnatTarget { Range.ProtoSpecified: true } s when !(touchable && s.Range.MinProto == s.Range.MaxProto):
                return PortsKeep(Math.Min(s.Range.MinProto, s.Range.MaxProto), Math.Max(s.Range.MinProto, s.Range.MaxProto));
            case MasqueradeTarget { Ports: { } mp } when !(touchable && mp.Min == mp.Max):
                return PortsKeep(mp.Min, mp.Max);
            case DnatTarget { Range.ProtoSpecified: true } d when d.Range.MinProto != d.Range.MaxProto:
                return NoneInside(Math.Min(d.Range.MinProto, d.Range.MaxProto), Math.Max(d.Range.MinProto, d.Range.MaxProto));
            case DnatTarget { Range.ProtoSpecified: true } d when !touchable:
                return PortsKeep(d.Range.MinProto, d.Range.MaxProto);
            case RedirectTarget { Ports: { } rp } when rp.Min != rp.Max:
                return NoneInside(rp.Min, rp.Max);
            case RedirectTarget { Ports: { } rp } when !touchable:
                return PortsKeep(rp.Min, rp.Max);
        }

        return true;

        bool PortsKeep(int lo, int hi) => swap.Ports.All(kv => (kv.Key >= lo && kv.Key <= hi) == (kv.Value >= lo && kv.Value <= hi));

        // A DST range is walked from its first port (6.x, offset 0): a moved port inside it is told apart by the order.
        bool NoneInside(int lo, int hi) => swap.Ports.All(kv => kv.Key == kv.Value || kv.Key < lo || kv.Key > hi);
    }

    private static bool IsPortField(PacketField f) => f is PacketField.SrcPort or PacketField.DstPort or PacketField.IcmpId
        or PacketField.CtOrigSrcPort or PacketField.CtOrigDstPort or PacketField.CtReplSrcPort or PacketField.CtReplDstPort;

    /// <summary>A rule that renaming may rewrite: typed matches only, no statements, a NAT or final target.</summary>
    private static bool Touchable(NatRule rule) => rule.Match.IsSimple && rule.Statements.Count == 0
        && rule.Target is SnatTarget or DnatTarget or MasqueradeTarget or RedirectTarget or AcceptTarget or DropTarget or RejectTarget;

    /// <summary>Targets that end the chain walk (a jump, RETURN or CONTINUE does not).</summary>
    private static bool Terminal(RuleTarget target) =>
        target is SnatTarget or DnatTarget or MasqueradeTarget or RedirectTarget or AcceptTarget or DropTarget or RejectTarget;

    /// <summary>The single ports (source match, destination match, target) and full-mask marks a touchable rule names, in a fixed order.</summary>
    private static (List<int> Ports, List<uint> Marks) RuleValues(NatRule rule)
    {
        var ports = new List<int>();
        var marks = new List<uint>();
        if (!Touchable(rule))
        {
            return (ports, marks);
        }

        var m = rule.Match;
        if (m.SourcePort is { } sp && sp.Value.Min == sp.Value.Max)
        {
            ports.Add(sp.Value.Min);
        }

        if (m.DestinationPort is { } dp && dp.Value.Min == dp.Value.Max)
        {
            ports.Add(dp.Value.Min);
        }

        switch (rule.Target)
        {
            case SnatTarget { Range.ProtoSpecified: true } s when s.Range.MinProto == s.Range.MaxProto:
                ports.Add(s.Range.MinProto);
                break;
            case DnatTarget { Range.ProtoSpecified: true } d when d.Range.MinProto == d.Range.MaxProto:
                ports.Add(d.Range.MinProto);
                break;
            case MasqueradeTarget { Ports: { } mp } when mp.Min == mp.Max:
                ports.Add(mp.Min);
                break;
            case RedirectTarget { Ports: { } rp } when rp.Min == rp.Max:
                ports.Add(rp.Min);
                break;
        }

        if (m.Mark is { } mk && mk.Value.Mask == uint.MaxValue)
        {
            marks.Add(mk.Value.Value);
        }

        return (ports, marks);
    }

    /// <summary>
    /// A touchable rule's match and target with its single ports and full-mask marks renamed by <paramref name="swap"/>
    /// (or zeroed when it is null: the rule's shape).
    /// </summary>
    private static (RuleMatch Match, RuleTarget Target) Rename(NatRule rule, Swap? swap)
    {
        int P(int p) => swap is null ? 0 : swap.Port(p);
        uint M(uint m) => swap is null ? 0 : swap.Mark(m);
        var m = rule.Match with { Terms = NoTerms };
        if (m.SourcePort is { } sp && sp.Value.Min == sp.Value.Max)
        {
            m = m with { SourcePort = sp with { Value = new PortRange(P(sp.Value.Min), P(sp.Value.Min)) } };
        }

        if (m.DestinationPort is { } dp && dp.Value.Min == dp.Value.Max)
        {
            m = m with { DestinationPort = dp with { Value = new PortRange(P(dp.Value.Min), P(dp.Value.Min)) } };
        }

        if (m.Mark is { } mk && mk.Value.Mask == uint.MaxValue)
        {
            m = m with { Mark = mk with { Value = new MarkMatch(M(mk.Value.Value), uint.MaxValue) } };
        }

        RuleTarget target = rule.Target switch
        {
            SnatTarget { Range.ProtoSpecified: true } s when s.Range.MinProto == s.Range.MaxProto =>
                new SnatTarget(s.Range with { MinProto = P(s.Range.MinProto), MaxProto = P(s.Range.MinProto) }),
            DnatTarget { Range.ProtoSpecified: true } d when d.Range.MinProto == d.Range.MaxProto =>
                new DnatTarget(d.Range with { MinProto = P(d.Range.MinProto), MaxProto = P(d.Range.MinProto) }),
            MasqueradeTarget { Ports: { } mp } mq when mp.Min == mp.Max => mq with { Ports = new PortRange(P(mp.Min), P(mp.Min)) },
            RedirectTarget { Ports: { } rp } rd when rp.Min == rp.Max => rd with { Ports = new PortRange(P(rp.Min), P(rp.Min)) },
            var t => t,
        };
        return (m, target);
    }

    private static bool Same((RuleMatch Match, RuleTarget Target) x, (RuleMatch Match, RuleTarget Target) y) =>
        x.Match == y.Match && x.Target == y.Target;

    /// <summary>
    /// True when no packet matches both rules: some typed field both test positively with disjoint values (protocol,
    /// full or overlapping-mask marks, port ranges, prefixes).
    /// </summary>
    internal static bool Disjoint(RuleMatch x, RuleMatch y)
    {
        if (x.Protocol is { Negated: false } px && y.Protocol is { Negated: false } py && px.Value != py.Value)
        {
            return true;
        }

        if (x.Mark is { Negated: false } mx && y.Mark is { Negated: false } my
            && ((mx.Value.Value ^ my.Value.Value) & mx.Value.Mask & my.Value.Mask) != 0)
        {
            return true;
        }

        if (x.SourcePort is { Negated: false } sx && y.SourcePort is { Negated: false } sy && (sx.Value.Max < sy.Value.Min || sy.Value.Max < sx.Value.Min))
        {
            return true;
        }

        if (x.DestinationPort is { Negated: false } dx && y.DestinationPort is { Negated: false } dy && (dx.Value.Max < dy.Value.Min || dy.Value.Max < dx.Value.Min))
        {
            return true;
        }

        if (x.Source is { Negated: false } cx && y.Source is { Negated: false } cy && Apart(cx.Value, cy.Value))
        {
            return true;
        }

        return x.Destination is { Negated: false } ex && y.Destination is { Negated: false } ey && Apart(ex.Value, ey.Value);

        static bool Apart(Cidr a, Cidr b)
        {
            var ia = RuleMatch.ToInterval(a);
            var ib = RuleMatch.ToInterval(b);
            return ia.Max < ib.Min || ib.Max < ia.Min;
        }
    }
}
