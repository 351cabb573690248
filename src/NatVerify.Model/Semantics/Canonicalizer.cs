using NatVerify.Model.Addressing;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// Renumbers fresh ports by first use, scanning slots in actor order, so that states differing only in
/// which anonymous port of an atom they use are equal (data-independence symmetry).
/// </summary>
public static class Canonicalizer
{
    /// <summary>
    /// Puts the slots in canonical form, in place (every caller hands over a fresh copy; no second copy and no
    /// dictionaries are made on the successor path), and returns the same array. Idempotent.
    /// </summary>
    public static Slot[] Canonicalize(Slot[] slots)
    {
        // Most successors hold no fresh port at all: nothing to renumber, and no maps to clear.
        var first = 0;
        while (first < slots.Length && !HasFresh(slots[first].Reply) && !HasFresh(slots[first].PreSrc))
        {
            first++;
        }

        if (first == slots.Length)
        {
            return slots;
        }

        // At most four fresh ports per slot, so the maps fit on the stack (64 actors: 4 KiB).
        var size = 4 * slots.Length;
        var map = new Renumbering(stackalloc int[size], stackalloc int[size], stackalloc int[size], stackalloc int[size]);
        for (var i = first; i < slots.Length; i++)
        {
            ref readonly var s = ref slots[i];
            if (!HasFresh(s.Reply) && !HasFresh(s.PreSrc))
            {
                continue;
            }

            var reply = map.Renumber(s.Reply);
            var pre = map.Renumber(s.PreSrc);
            if (reply != s.Reply || pre != s.PreSrc)
            {
                slots[i] = slots[i] with { Reply = reply, PreSrc = pre };
            }
        }

        return slots;
    }

    private static bool HasFresh(ConntrackTuple t) => t.SrcPort.IsFresh || t.DstPort.IsFresh;

    /// <summary>Old fresh port to new (by first use) and the next index per atom, as small linear maps.</summary>
    private ref struct Renumbering(Span<int> from, Span<int> to, Span<int> atoms, Span<int> used)
    {
        private readonly Span<int> _from = from;
        private readonly Span<int> _to = to;
        private readonly Span<int> _atoms = atoms;
        private readonly Span<int> _used = used;
        private int _mapped;
        private int _atomCount;

        public ConntrackTuple Renumber(ConntrackTuple t)
        {
            if (!HasFresh(t))
            {
                return t;
            }

            return t with { SrcPort = Renumber(t.SrcPort), DstPort = Renumber(t.DstPort) };
        }

        private Port Renumber(Port p)
        {
            if (!p.IsPicked)
            {
                // Concrete ports, and a pool's held port: it stands for no particular port, so there is nothing to renumber.
                return p;
            }

            for (var k = 0; k < _mapped; k++)
            {
                if (_from[k] == p.Raw)
                {
                    return new Port(_to[k]);
                }
            }

            var a = 0;
            while (a < _atomCount && _atoms[a] != p.Atom)
            {
                a++;
            }

            if (a == _atomCount)
            {
                _atoms[_atomCount++] = p.Atom;
                _used[a] = 0;
            }

            var raw = Port.Fresh(p.Atom, ++_used[a]).Raw;
            _from[_mapped] = p.Raw;
            _to[_mapped++] = raw;
            return new Port(raw);
        }
    }
}
