using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// Pools (<see cref="PortPool"/>): N static confirmed entries holding N unnamed ports of a range, kept as a count, not as
/// slots. The held ports are placed lazily: a fresh port is one of the pool's only when nothing else can be, so the
/// state needs no record of where the pool's ports are (docs/port-abstraction.md, "Pools").
/// </summary>
public sealed partial class NatSemantics
{
    private readonly PoolInfo[] _pools;

    /// <summary>A pool, the atoms of its range (every one of them lies inside it) and how many unnamed ports they have.</summary>
    private sealed record PoolInfo(PortPool Pool, int[] Atoms, int Unnamed);

    /// <summary>The entry index that stands for "an entry of pool <paramref name="pool"/>" in probes and partners (after the actors).</summary>
    public int PoolEntry(int pool) => Scenario.Actors.Count + pool;

    /// <summary>The pool an entry index of <see cref="PoolEntry"/> names, or null for an actor.</summary>
    public PortPool? PoolOfEntry(int entry) =>
        entry >= Scenario.Actors.Count && entry - Scenario.Actors.Count < _pools.Length ? _pools[entry - Scenario.Actors.Count].Pool : null;

    private static PoolInfo[] PoolsOf(ScenarioModel scenario, PortUniverse ports)
    {
        var list = new PoolInfo[scenario.Pools.Count];
        for (var k = 0; k < list.Length; k++)
        {
            var pool = scenario.Pools[k];
            var atoms = ports.AtomsIn(pool.Ports.Min, pool.Ports.Max).ToArray();
            var unnamed = atoms.Sum(a => ports.Atoms[a].Unnamed);
            if (pool.Entries < 1 || pool.Entries > unnamed)
            {
                throw new ArgumentException($"pool '{pool.Name}' holds {pool.Entries} entries, but its range {pool.Ports} has {unnamed} ports the scenario does not name");
            }

            list[k] = new PoolInfo(pool, atoms, unnamed);
        }

        return list;
    }

    /// <summary>The pool whose reply tuples have <paramref name="reply"/>'s shape with a port of its atoms, or -1.</summary>
    private int PoolFor(ConntrackTuple reply)
    {
        var port = reply.DstPort;
        if (!port.IsFresh)
        {
            return -1;
        }

        for (var k = 0; k < _pools.Length; k++)
        {
            if (_pools[k].Pool.Shapes(reply) && Array.IndexOf(_pools[k].Atoms, port.Atom) >= 0)
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>
    /// The distinct picked fresh ports of pool <paramref name="k"/>'s atoms that some slot's reply towards the pool's
    /// destination holds: ports known not to be the pool's (they were free towards it when picked, or held by an actor).
    /// </summary>
    private int KnownFree(ReadOnlySpan<Slot> slots, int k, Span<int> perAtom)
    {
        var info = _pools[k];
        perAtom.Clear();
        Span<int> seen = stackalloc int[slots.Length];
        var count = 0;
        foreach (var s in slots)
        {
            var port = s.Reply.DstPort;
            if (!port.IsPicked || !info.Pool.Shapes(s.Reply))
            {
                continue;
            }

            var a = Array.IndexOf(info.Atoms, port.Atom);
            if (a < 0 || seen[..count].Contains(port.Raw))
            {
                continue;
            }

            seen[count++] = port.Raw;
            perAtom[a]++;
        }

        return count;
    }

    /// <summary>
    /// <c>nf_conntrack_tuple_taken</c> against the pool's entries: a pool-held port is taken; a picked fresh port towards the
    /// pool's destination that no slot holds there is taken exactly when the pool has no room left outside the ports known
    /// free (then every other unnamed port of its range is one of the pool's). Returns the pool entry, or -1.
    /// </summary>
    private int PoolTaker(ReadOnlySpan<Slot> slots, ConntrackTuple reply)
    {
        var k = PoolFor(reply);
        if (k < 0)
        {
            return -1;
        }

        if (reply.DstPort.IsPoolHeld)
        {
            return PoolEntry(k);
        }

        Span<int> perAtom = stackalloc int[_pools[k].Atoms.Length];
        var known = KnownFree(slots, k, perAtom);
        foreach (var s in slots)
        {
            if (s.Reply == reply)
            {
                return -1;
            }
        }

        return _pools[k].Unnamed - known - _pools[k].Pool.Entries <= 0 ? PoolEntry(k) : -1;
    }

    /// <summary>
    /// For a source-port search over [lo, hi] towards a pool's destination: the pool, the most of its ports that can lie
    /// inside the range (for the capped search's window argument), and whether they can fill every port of the range's
    /// pool atoms that is not known free (then a search whose only free candidates are such ports may fail).
    /// </summary>
    private (int Pool, int MostInside, bool CanFillRange) PoolInSearch(ReadOnlySpan<Slot> slots, ConntrackTuple shape, int lo, int hi)
    {
        for (var k = 0; k < _pools.Length; k++)
        {
            var info = _pools[k];
            if (!info.Pool.Shapes(shape))
            {
                continue;
            }

            var perAtom = new int[info.Atoms.Length];
            KnownFree(slots, k, perAtom);
            var room = 0;
            for (var a = 0; a < info.Atoms.Length; a++)
            {
                var atom = Ports.Atoms[info.Atoms[a]];
                if (atom.Lo >= lo && atom.Hi <= hi)
                {
                    room += atom.Unnamed - perAtom[a];
                }
            }

            if (room > 0)
            {
                return (k, Math.Min(room, info.Pool.Entries), info.Pool.Entries >= room);
            }
        }

        return (-1, 0, false);
    }

    /// <summary>True when the fresh port is of pool <paramref name="k"/>'s atoms and no slot holds it towards the pool's destination.</summary>
    private bool MayBePools(ReadOnlySpan<Slot> slots, int k, ConntrackTuple candidateReply)
    {
        var port = candidateReply.DstPort;
        if (k < 0 || !port.IsFresh || !_pools[k].Pool.Shapes(candidateReply) || Array.IndexOf(_pools[k].Atoms, port.Atom) < 0)
        {
            return false;
        }

        foreach (var s in slots)
        {
            if (s.Reply == candidateReply)
            {
                return false;
            }
        }

        return true;
    }
}
