using NatVerify.Model.Addressing;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// One element of a scenario's symmetry group: a permutation of actors together with a permutation of the concrete
/// ports and the packet marks those actors (and the rules that serve them) name. Position <c>n</c> of the image holds
/// actor <see cref="From"/>[n]'s slot, with the references between slots renamed, every concrete port <c>p</c> of its
/// tuples replaced by σ(p), its marks by μ(mark), and the fresh ports renumbered by first use again
/// (docs/port-abstraction.md, "Symmetry between races").
/// </summary>
public sealed class Renaming
{
    private readonly int[] _from;
    private readonly int[] _portFrom;
    private readonly int[] _portTo;
    private readonly uint[] _markFrom;
    private readonly uint[] _markTo;

    /// <summary>A renaming; σ and μ are given as parallel arrays (a port or mark not listed is fixed).</summary>
    public Renaming(int[] from, int[] portFrom, int[] portTo, uint[] markFrom, uint[] markTo)
    {
        _from = from;
        _portFrom = portFrom;
        _portTo = portTo;
        _markFrom = markFrom;
        _markTo = markTo;
    }

    /// <summary>A renaming of actors only.</summary>
    public static Renaming OfActors(int[] from) => new(from, [], [], [], []);

    /// <summary>Position n of the image holds actor From[n]'s slot.</summary>
    public IReadOnlyList<int> From => _from;

    /// <summary>True when no port and no mark moves.</summary>
    public bool ActorsOnly => _portFrom.Length == 0 && _markFrom.Length == 0;

    /// <summary>σ(p) for a concrete port number.</summary>
    public int Port(int number)
    {
        for (var k = 0; k < _portFrom.Length; k++)
        {
            if (_portFrom[k] == number)
            {
                return _portTo[k];
            }
        }

        return number;
    }

    /// <summary>μ(m) for a mark.</summary>
    public uint Mark(uint mark)
    {
        for (var k = 0; k < _markFrom.Length; k++)
        {
            if (_markFrom[k] == mark)
            {
                return _markTo[k];
            }
        }

        return mark;
    }

    /// <summary>A tuple with its concrete ports renamed (fresh and pool-held ports are never moved).</summary>
    public ConntrackTuple Tuple(ConntrackTuple t)
    {
        if (_portFrom.Length == 0)
        {
            return t;
        }

        var s = t.SrcPort.IsFresh ? t.SrcPort : new Port(Port(t.SrcPort.Raw));
        var d = t.DstPort.IsFresh ? t.DstPort : new Port(Port(t.DstPort.Raw));
        return s == t.SrcPort && d == t.DstPort ? t : t with { SrcPort = s, DstPort = d };
    }

    /// <summary>The image of <paramref name="state"/>.</summary>
    public NatState Apply(NatState state)
    {
        var slots = ActorSymmetry.PermuteSlots(state, _from);
        if (!ActorsOnly)
        {
            for (var k = 0; k < slots.Length; k++)
            {
                var s = slots[k];
                slots[k] = s with { Reply = Tuple(s.Reply), PreSrc = Tuple(s.PreSrc), Mark = Mark(s.Mark), CtMark = Mark(s.CtMark) };
            }
        }

        return NatState.FromCanonicalSlots(Canonicalizer.Canonicalize(slots));
    }
}
