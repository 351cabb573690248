using NatVerify.Model.Addressing;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Properties;

/// <summary>Injective renamings of fresh ports, for the data-independence law of the canonical form.</summary>
public static class FreshRenaming
{
    /// <summary>
    /// Renames every fresh port of an atom to the next one (index i becomes i + 1): injective, changes every state
    /// that holds a fresh port, and keeps first-use order, so canonicalising the result must give the original back.
    /// </summary>
    /// <param name="slots">The slots; not modified.</param>
    /// <returns>A renamed copy.</returns>
    public static Slot[] Shift(Slot[] slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var copy = (Slot[])slots.Clone();
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = copy[i] with { Reply = Rename(copy[i].Reply), PreSrc = Rename(copy[i].PreSrc) };
        }

        return copy;
    }

    private static ConntrackTuple Rename(ConntrackTuple t) => t with { SrcPort = Rename(t.SrcPort), DstPort = Rename(t.DstPort) };

    private static Port Rename(Port p) => p.IsPicked ? Port.Fresh(p.Atom, p.FreshIndex + 1) : p;
}
