using System.Globalization;

namespace NatVerify.Model.Addressing;

/// <summary>
/// A port (or ICMP echo id) value: either a concrete number 0..65535, or a <em>fresh</em> port, an
/// anonymous member of a large <see cref="PortAtom"/> that no scenario names.
/// </summary>
/// <remarks>
/// Data independence: the model's behaviour never depends on which unnamed port of an atom a search
/// picks, only on whether it equals another port in the state. Fresh ports are therefore numbered by
/// first use (see <c>Canonicalizer</c>), and two flows may still pick the same fresh port.
/// </remarks>
public readonly record struct Port(int Raw) : IComparable<Port>
{
    private const int FreshBase = 1 << 16;
    private const int IndexBits = 8;

    /// <summary>A concrete port number.</summary>
    public static Port Of(int number) =>
        number is >= 0 and <= 65535 ? new Port(number) : throw new ArgumentOutOfRangeException(nameof(number));

    /// <summary>The <paramref name="index"/>-th (1-based) fresh port of atom <paramref name="atom"/>.</summary>
    /// <remarks>
    /// The index has <see cref="IndexBits"/> bits: a larger one would silently alias the next atom's fresh port,
    /// so it is refused (a scenario never has that many flows, so this only catches a bug).
    /// </remarks>
    public static Port Fresh(int atom, int index)
    {
        if (index is < 1 or > MaxFreshIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"fresh port index must be 1..{MaxFreshIndex}");
        }

        if (atom is < 0 or > (int.MaxValue - FreshBase) >> IndexBits)
        {
            throw new ArgumentOutOfRangeException(nameof(atom), atom, "fresh port atom out of range");
        }

        return new(FreshBase + (atom << IndexBits) + index);
    }

    /// <summary>
    /// "A port that an entry of a pool holds" (<c>pools:</c> in a spec; <paramref name="atom"/> is the first atom of the pool's
    /// range): the tuple a failed search keeps when the port it gave up on is one of the pool's. Index 0, which no fresh port has, so it never equals a
    /// fresh port, is never renumbered, and never counts as a port in use.
    /// </summary>
    public static Port PoolHeld(int atom)
    {
        if (atom is < 0 or > (int.MaxValue - FreshBase) >> IndexBits)
        {
            throw new ArgumentOutOfRangeException(nameof(atom), atom, "fresh port atom out of range");
        }

        return new(FreshBase + (atom << IndexBits));
    }

    /// <summary>True for <see cref="PoolHeld"/> values.</summary>
    public bool IsPoolHeld => IsFresh && FreshIndex == 0;

    /// <summary>True for a fresh port that a search picked (not a <see cref="PoolHeld"/> value).</summary>
    public bool IsPicked => IsFresh && FreshIndex != 0;

    /// <summary>The largest first-use index a fresh port can carry.</summary>
    public const int MaxFreshIndex = (1 << IndexBits) - 1;

    /// <summary>True for a fresh (abstract) port.</summary>
    public bool IsFresh => Raw >= FreshBase;

    /// <summary>The concrete number; only for non-fresh ports.</summary>
    public int Number => IsFresh ? throw new InvalidOperationException("fresh port has no number") : Raw;

    /// <summary>The atom a fresh port belongs to.</summary>
    public int Atom => (Raw - FreshBase) >> IndexBits;

    /// <summary>The 1-based first-use index of a fresh port within its atom.</summary>
    public int FreshIndex => (Raw - FreshBase) & ((1 << IndexBits) - 1);

    /// <inheritdoc />
    public int CompareTo(Port other) => Raw.CompareTo(other.Raw);

    /// <inheritdoc />
    public override string ToString() =>
        IsPoolHeld ? $"*{Atom}.pool" : IsFresh ? $"*{Atom}.{FreshIndex}" : Raw.ToString(CultureInfo.InvariantCulture);
}
