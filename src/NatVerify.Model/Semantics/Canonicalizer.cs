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
    /// <summary>Returns the canonical form of the slots (the same array when nothing is fresh). Idempotent.</summary>
    public static Slot[] Canonicalize(Slot[] slots)
    {
        Dictionary<int, int>? map = null;
        Dictionary<int, int>? nextPerAtom = null;
        var changed = false;
        for (var i = 0; i < slots.Length; i++)
        {
            var s = slots[i];
            var reply = Renumber(s.Reply, ref map, ref nextPerAtom);
            var pre = Renumber(s.PreSrc, ref map, ref nextPerAtom);
            if (reply != s.Reply || pre != s.PreSrc)
            {
                if (!changed)
                {
                    slots = (Slot[])slots.Clone();
                    changed = true;
                }

                slots[i] = s with { Reply = reply, PreSrc = pre };
            }
        }

        return slots;
    }

    private static ConntrackTuple Renumber(ConntrackTuple t, ref Dictionary<int, int>? map, ref Dictionary<int, int>? next)
    {
        if (!t.SrcPort.IsFresh && !t.DstPort.IsFresh)
        {
            return t;
        }

        return t with { SrcPort = Renumber(t.SrcPort, ref map, ref next), DstPort = Renumber(t.DstPort, ref map, ref next) };
    }

    private static Port Renumber(Port p, ref Dictionary<int, int>? map, ref Dictionary<int, int>? next)
    {
        if (!p.IsFresh)
        {
            return p;
        }

        map ??= [];
        next ??= [];
        if (!map.TryGetValue(p.Raw, out var raw))
        {
            next.TryGetValue(p.Atom, out var used);
            used++;
            next[p.Atom] = used;
            raw = Port.Fresh(p.Atom, used).Raw;
            map[p.Raw] = raw;
        }

        return new Port(raw);
    }
}
