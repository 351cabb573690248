using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// Symmetry between interchangeable actors: flows that differ only in their names (same original tuple, mark, path,
/// interfaces and retries), that no other actor targets and no order constraint names, in a scenario that is not
/// sequential. Renaming such actors maps runs to runs, properties to the same verdicts and outcomes to the permuted
/// outcomes (docs/port-abstraction.md, "Symmetry between actors"), so a search may store one state per orbit.
/// </summary>
/// <remarks>
/// A permutation is given as <c>from</c>: position <c>n</c> of the image holds actor <c>from[n]</c>'s slot, with the
/// references between slots (<see cref="Slot.Partner"/>, <see cref="Slot.LinkedAtSrcProbe"/>) renamed and the fresh
/// ports renumbered by first use again (<see cref="Canonicalizer"/>), so the image is exactly the state the semantics
/// reaches by the renamed run.
/// </remarks>
public sealed class ActorSymmetry
{
    private readonly int[][] _classes;
    private readonly int[] _classOf;
    private readonly RaceType[] _races;

    private ActorSymmetry(int[][] classes, int actors, RaceType[]? races = null)
    {
        _classes = classes;
        _races = races ?? [];
        _classOf = new int[actors];
        Array.Fill(_classOf, -1);
        for (var c = 0; c < classes.Length; c++)
        {
            foreach (var a in classes[c])
            {
                _classOf[a] = c;
            }
        }
    }

    /// <summary>The classes of interchangeable actors (each of at least two actors, ascending indices).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Classes => _classes;

    /// <summary>
    /// Classes of interchangeable races: groups of flows exchanged together with the concrete ports and marks they name
    /// (docs/port-abstraction.md, "Symmetry between races"). Disjoint from <see cref="Classes"/>.
    /// </summary>
    public IReadOnlyList<RaceType> Races => _races;

    /// <summary>True when some class has two or more actors or races, i.e. the symmetry can merge states.</summary>
    public bool Reduces => _classes.Length > 0 || _races.Length > 0;

    /// <summary>The class of an actor, or -1 when it is interchangeable with no other.</summary>
    public int ClassOf(int actor) => _classOf[actor];

    /// <summary>
    /// The interchangeable actors of <paramref name="semantics"/>'s scenario. None under a mutant: a mutant can link two
    /// entries with equal tuples, and the model's lookups then resolve the tie by actor index (the kernel's by chain
    /// order), which a renaming does not preserve. None with pools either (see below).
    /// </summary>
    public static ActorSymmetry Of(NatSemantics semantics)
    {
        var scenario = semantics.Scenario;
        var n = scenario.Actors.Count;
        // Pools: a pool entry's Partner index lies past the actors and whether a port is the pool's depends on the
        // other flows' private entries; renaming actors there is not argued sound (partial-order reduction treats
        // such specs as opaque too), so no classes.
        if (semantics.Mutant != KernelMutant.None || scenario.Sequential || scenario.Pools.Count > 0)
        {
            return new ActorSymmetry([], n);
        }

        var pinned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in scenario.Constraints)
        {
            pinned.Add(c.Before);
            pinned.Add(c.After);
        }

        foreach (var a in scenario.Actors)
        {
            switch (a)
            {
                case ConnectionClose close:
                    pinned.Add(close.Target);
                    break;
                case EntryTimeout timeout:
                    pinned.Add(timeout.Target);
                    break;
            }
        }

        var groups = new List<List<int>>();
        var keys = new List<FlowActor>();
        for (var i = 0; i < n; i++)
        {
            if (scenario.Actors[i] is not FlowActor flow || pinned.Contains(flow.Name))
            {
                continue;
            }

            var key = flow with { Name = string.Empty };
            var g = keys.IndexOf(key);
            if (g < 0)
            {
                keys.Add(key);
                groups.Add([i]);
            }
            else
            {
                groups[g].Add(i);
            }
        }

        int[][] classes = [.. groups.Where(g => g.Count > 1).Select(g => g.ToArray())];
        // Races are sought among the flows that are neither pinned nor in a class: a class member's ports and marks are
        // shared with its class, so they stay where they are.
        var excluded = new bool[n];
        for (var i = 0; i < n; i++)
        {
            excluded[i] = scenario.Actors[i] is not FlowActor f || pinned.Contains(f.Name);
        }

        foreach (var a in classes.SelectMany(c => c))
        {
            excluded[a] = true;
        }

        return new ActorSymmetry(classes, n, RaceFinder.Find(scenario, excluded));
    }

    /// <summary>The image of <paramref name="state"/> under the permutation <paramref name="from"/> (see the remarks).</summary>
    public static NatState Permute(NatState state, ReadOnlySpan<int> from) =>
        NatState.FromCanonicalSlots(Canonicalizer.Canonicalize(PermuteSlots(state, from)));

    /// <summary>
    /// The slots of <paramref name="state"/> moved by <paramref name="from"/> (position n holds actor from[n]'s slot),
    /// with the references between slots renamed; not yet canonical (<see cref="Renaming"/> renames ports and marks first).
    /// </summary>
    internal static Slot[] PermuteSlots(NatState state, ReadOnlySpan<int> from)
    {
        var n = state.Count;
        Span<int> to = stackalloc int[n];
        for (var k = 0; k < n; k++)
        {
            to[from[k]] = k;
        }

        // The image is most often a view the encoder drops at once (and recycles): its storage comes from the thread's pool.
        var slots = NatState.RentSlots(n);
        Span<ulong> words = n <= ActorSets.InlineActors ? default : stackalloc ulong[ActorSets.WordsFor(n)];
        for (var k = 0; k < n; k++)
        {
            var s = state[from[k]];
            var linked = 0UL;
            if (n <= ActorSets.InlineActors)
            {
                for (var bits = s.LinkedAtSrcProbe; bits != 0; bits &= bits - 1)
                {
                    linked |= 1UL << to[System.Numerics.BitOperations.TrailingZeroCount(bits)];
                }
            }
            else if (s.LinkedAtSrcProbe != 0)
            {
                words.Clear();
                foreach (var j in ActorSets.Members(s.LinkedAtSrcProbe, n))
                {
                    words[to[j] >> 6] |= 1UL << (to[j] & 63);
                }

                linked = ActorSets.Of(words, n);
            }

            slots[k] = s with { Partner = s.Partner < 0 ? s.Partner : (short)to[s.Partner], LinkedAtSrcProbe = linked };
        }

        return slots;
    }

    /// <summary>
    /// A representative of <paramref name="state"/>'s orbit: within each class, slots sorted by their contents (fresh
    /// ports compared by atom first, references by whether they are set). Equal results imply equal orbits, because the
    /// result is always an exact image of the state; states of one orbit usually, but not always (ties between slots
    /// that differ only in which fresh port or partner they hold), get the same representative. Returns the state
    /// itself when it is already sorted.
    /// </summary>
    public NatState Canonical(NatState state)
    {
        if (!Reduces)
        {
            return state;
        }

        var n = state.Count;
        Span<int> from = stackalloc int[n];
        for (var k = 0; k < n; k++)
        {
            from[k] = k;
        }

        var moved = false;
        Span<int> members = stackalloc int[n];
        foreach (var cls in _classes)
        {
            // Insertion sort: classes are small, and mostly sorted already along a run.
            var m = cls.Length;
            cls.CopyTo(members);
            for (var a = 1; a < m; a++)
            {
                var x = members[a];
                var b = a - 1;
                while (b >= 0 && Compare(state[members[b]], members[b], state[x], x, n) > 0)
                {
                    members[b + 1] = members[b];
                    b--;
                }

                members[b + 1] = x;
            }

            for (var a = 0; a < m; a++)
            {
                from[cls[a]] = members[a];
                moved |= members[a] != cls[a];
            }
        }

        if (_races.Length == 0)
        {
            return moved ? Permute(state, from) : state;
        }

        // Races: sorted by their slots read relative to the race (its own ports and marks by position), then moved
        // together with their ports and marks.
        List<int>? portFrom = null, portTo = null;
        List<uint>? markFrom = null, markTo = null;
        Span<int> orders = stackalloc int[n];
        foreach (var type in _races)
        {
            var m = type.Races.Length;
            var order = orders[..m];
            for (var a = 0; a < m; a++)
            {
                order[a] = a;
            }

            for (var a = 1; a < m; a++)
            {
                var x = order[a];
                var b = a - 1;
                while (b >= 0 && CompareRaces(state, type, order[b], x) > 0)
                {
                    order[b + 1] = order[b];
                    b--;
                }

                order[b + 1] = x;
            }

            for (var a = 0; a < m; a++)
            {
                var src = order[a];
                if (src == a)
                {
                    continue;
                }

                moved = true;
                for (var r = 0; r < type.Races[a].Length; r++)
                {
                    from[type.Races[a][r]] = type.Races[src][r];
                }

                for (var k = 0; k < type.Ports[a].Length; k++)
                {
                    (portFrom ??= []).Add(type.Ports[src][k]);
                    (portTo ??= []).Add(type.Ports[a][k]);
                }

                for (var k = 0; k < type.Marks[a].Length; k++)
                {
                    (markFrom ??= []).Add(type.Marks[src][k]);
                    (markTo ??= []).Add(type.Marks[a][k]);
                }
            }
        }

        if (!moved)
        {
            return state;
        }

        return new Renaming(from.ToArray(), portFrom?.ToArray() ?? [], portTo?.ToArray() ?? [], markFrom?.ToArray() ?? [], markTo?.ToArray() ?? []).Apply(state);
    }

    /// <summary>
    /// The renaming that puts race <c>perms[t][a]</c> of race type t in race a's place (with its ports and marks), after
    /// moving actors by <paramref name="from"/> within the classes.
    /// </summary>
    public Renaming Arrange(int[] from, IReadOnlyList<int[]> perms)
    {
        var actors = (int[])from.Clone();
        var portFrom = new List<int>();
        var portTo = new List<int>();
        var markFrom = new List<uint>();
        var markTo = new List<uint>();
        for (var t = 0; t < _races.Length && t < perms.Count; t++)
        {
            var type = _races[t];
            for (var a = 0; a < type.Races.Length; a++)
            {
                var src = perms[t][a];
                if (src == a)
                {
                    continue;
                }

                for (var r = 0; r < type.Races[a].Length; r++)
                {
                    actors[type.Races[a][r]] = type.Races[src][r];
                }

                for (var k = 0; k < type.Ports[a].Length; k++)
                {
                    portFrom.Add(type.Ports[src][k]);
                    portTo.Add(type.Ports[a][k]);
                }

                for (var k = 0; k < type.Marks[a].Length; k++)
                {
                    markFrom.Add(type.Marks[src][k]);
                    markTo.Add(type.Marks[a][k]);
                }
            }
        }

        return new Renaming(actors, [.. portFrom], [.. portTo], [.. markFrom], [.. markTo]);
    }

    private static int CompareRaces(NatState state, RaceType type, int a, int b)
    {
        var roles = type.Races[a];
        for (var r = 0; r < roles.Length; r++)
        {
            var c = CompareInRace(type, a, state[type.Races[a][r]], b, state[type.Races[b][r]], state.Count);
            if (c != 0)
            {
                return c;
            }
        }

        return a.CompareTo(b);
    }

    private static int CompareInRace(RaceType type, int a, Slot x, int b, Slot y, int actors)
    {
        var c = ((byte)x.Phase).CompareTo((byte)y.Phase);
        if (c == 0) { c = ((uint)x.Status).CompareTo((uint)y.Status); }
        if (c == 0) { c = CompareInRace(type, a, x.Reply, b, y.Reply); }
        if (c == 0) { c = CompareInRace(type, a, x.PreSrc, b, y.PreSrc); }
        if (c == 0) { c = x.Attempt.CompareTo(y.Attempt); }
        if (c == 0) { c = MarkToken(type, a, x.Mark).CompareTo(MarkToken(type, b, y.Mark)); }
        if (c == 0) { c = MarkToken(type, a, x.CtMark).CompareTo(MarkToken(type, b, y.CtMark)); }
        if (c == 0) { c = x.DecidedBy.CompareTo(y.DecidedBy); }
        if (c == 0) { c = x.BySourceOrder.CompareTo(y.BySourceOrder); }
        if (c == 0) { c = PartnerToken(type, a, x.Partner).CompareTo(PartnerToken(type, b, y.Partner)); }
        if (c == 0) { c = ActorSets.Count(x.LinkedAtSrcProbe, actors).CompareTo(ActorSets.Count(y.LinkedAtSrcProbe, actors)); }
        return c;
    }

    private static int CompareInRace(RaceType type, int a, ConntrackTuple x, int b, ConntrackTuple y)
    {
        var c = ((byte)x.Protocol).CompareTo((byte)y.Protocol);
        if (c == 0) { c = x.SrcIp.Value.CompareTo(y.SrcIp.Value); }
        if (c == 0) { c = x.DstIp.Value.CompareTo(y.DstIp.Value); }
        if (c == 0) { c = PortToken(type, a, x.SrcPort).CompareTo(PortToken(type, b, y.SrcPort)); }
        if (c == 0) { c = PortToken(type, a, x.DstPort).CompareTo(PortToken(type, b, y.DstPort)); }
        return c;
    }

    // A port as seen from race a: its own k-th port, "a port of another race of the type", an atom, or the number.
    private static long PortToken(RaceType type, int a, Port p)
    {
        if (p.IsFresh)
        {
            return (1L << 40) + p.Atom;
        }

        var own = Array.IndexOf(type.Ports[a], p.Raw);
        if (own >= 0)
        {
            return (1L << 41) + own;
        }

        foreach (var ports in type.Ports)
        {
            if (Array.IndexOf(ports, p.Raw) >= 0)
            {
                return 1L << 42;
            }
        }

        return p.Raw;
    }

    private static long MarkToken(RaceType type, int a, uint mark)
    {
        var own = Array.IndexOf(type.Marks[a], mark);
        if (own >= 0)
        {
            return (1L << 33) + own;
        }

        foreach (var marks in type.Marks)
        {
            if (Array.IndexOf(marks, mark) >= 0)
            {
                return 1L << 34;
            }
        }

        return mark;
    }

    private static int PartnerToken(RaceType type, int a, short partner)
    {
        if (partner < 0)
        {
            return -1;
        }

        var role = Array.IndexOf(type.Races[a], (int)partner);
        return role >= 0 ? role : 1000;
    }

    private static int Compare(Slot x, int xi, Slot y, int yi, int actors)
    {
        var c = ((byte)x.Phase).CompareTo((byte)y.Phase);
        if (c == 0) { c = ((uint)x.Status).CompareTo((uint)y.Status); }
        if (c == 0) { c = CompareShape(x.Reply, y.Reply); }
        if (c == 0) { c = CompareShape(x.PreSrc, y.PreSrc); }
        if (c == 0) { c = x.Attempt.CompareTo(y.Attempt); }
        if (c == 0) { c = x.Mark.CompareTo(y.Mark); }
        if (c == 0) { c = x.CtMark.CompareTo(y.CtMark); }
        if (c == 0) { c = x.DecidedBy.CompareTo(y.DecidedBy); }
        if (c == 0) { c = x.BySourceOrder.CompareTo(y.BySourceOrder); }
        if (c == 0) { c = (x.Partner >= 0).CompareTo(y.Partner >= 0); }
        if (c == 0) { c = ActorSets.Count(x.LinkedAtSrcProbe, actors).CompareTo(ActorSets.Count(y.LinkedAtSrcProbe, actors)); }

        // Ties: the exact fresh ports, then the index (a total order, so the sort is deterministic).
        if (c == 0) { c = x.Reply.SrcPort.Raw.CompareTo(y.Reply.SrcPort.Raw); }
        if (c == 0) { c = x.Reply.DstPort.Raw.CompareTo(y.Reply.DstPort.Raw); }
        if (c == 0) { c = xi.CompareTo(yi); }
        return c;
    }

    /// <summary>Orders tuples by everything but the identity of their fresh ports (only their atoms).</summary>
    private static int CompareShape(ConntrackTuple x, ConntrackTuple y)
    {
        var c = ((byte)x.Protocol).CompareTo((byte)y.Protocol);
        if (c == 0) { c = x.SrcIp.Value.CompareTo(y.SrcIp.Value); }
        if (c == 0) { c = x.DstIp.Value.CompareTo(y.DstIp.Value); }
        if (c == 0) { c = Shape(x.SrcPort).CompareTo(Shape(y.SrcPort)); }
        if (c == 0) { c = Shape(x.DstPort).CompareTo(Shape(y.DstPort)); }
        return c;
    }

    private static long Shape(Port p) => p.IsFresh ? (1L << 40) + p.Atom : p.Raw;
}
