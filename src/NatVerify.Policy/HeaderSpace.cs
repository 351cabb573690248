using NatVerify.Model.Nat;

namespace NatVerify.Policy;

/// <summary>
/// A ternary pattern over a 32-bit register (<c>skb-&gt;mark</c>, <c>ct-&gt;mark</c>): the bits in <see cref="Care"/> must
/// equal those of <see cref="Value"/>, the others are free. Masked matches and MARK statements stay exact in this form.
/// </summary>
internal readonly record struct Ternary(uint Value, uint Care)
{
    public static readonly Ternary Any = new(0, 0);

    public Ternary? Intersect(Ternary o)
    {
        var common = Care & o.Care;
        if (((Value ^ o.Value) & common) != 0)
        {
            return null;
        }

        return new Ternary((Value & Care) | (o.Value & o.Care), Care | o.Care);
    }

    /// <summary>This pattern minus <paramref name="o"/>: disjoint patterns, one per bit <paramref name="o"/> fixes that this one leaves free.</summary>
    public List<Ternary> Minus(Ternary o)
    {
        var result = new List<Ternary>();
        if (Intersect(o) is null)
        {
            result.Add(this);
            return result;
        }

        var fixedValue = Value & Care;
        var care = Care;
        for (var bit = 0; bit < 32; bit++)
        {
            var b = 1u << bit;
            if ((o.Care & b) == 0 || (Care & b) != 0)
            {
                continue;
            }

            result.Add(new Ternary((fixedValue & ~b) | (~o.Value & b), care | b));
            fixedValue = (fixedValue & ~b) | (o.Value & b);
            care |= b;
        }

        return result;
    }

    /// <summary>The exact patterns of the values in [min, max] (prefix decomposition).</summary>
    public static List<Ternary> FromInterval(Interval i)
    {
        var list = new List<Ternary>();
        ulong lo = i.Min;
        ulong hi = i.Max;
        while (lo <= hi)
        {
            var size = 1ul;
            while ((lo & ((size << 1) - 1)) == 0 && lo + (size << 1) - 1 <= hi && size < (1ul << 32))
            {
                size <<= 1;
            }

            list.Add(new Ternary((uint)lo, (uint)~(size - 1)));
            lo += size;
        }

        return list;
    }

    /// <summary>A value inside the pattern (free bits zero).</summary>
    public uint Sample => Value & Care;

    public override string ToString() => Care == uint.MaxValue ? $"0x{Value:x}" : $"0x{Value & Care:x}/0x{Care:x}";
}

/// <summary>
/// One cube of the header space a first packet lives in: intervals over protocol, addresses and ports, ternary patterns
/// over the packet and conntrack marks, and sets (bit masks over <see cref="InterfaceAtoms"/>) of in and out interfaces.
/// Fields the analysis does not track are free.
/// </summary>
internal readonly record struct Cube(Interval Proto, Interval Src, Interval Dst, Interval SPort, Interval DPort, Ternary Mark, Ternary CtMark, ulong Iif, ulong Oif)
{
    public static Cube Full => new(new(0, 255), new(0, uint.MaxValue), new(0, uint.MaxValue), new(0, 65535), new(0, 65535), Ternary.Any, Ternary.Any, ulong.MaxValue, ulong.MaxValue);

    private static Interval? Meet(Interval a, Interval b)
    {
        var lo = Math.Max(a.Min, b.Min);
        var hi = Math.Min(a.Max, b.Max);
        return lo <= hi ? new Interval(lo, hi) : null;
    }

    public Cube? Intersect(Cube o)
    {
        if (Meet(Proto, o.Proto) is not { } p || Meet(Src, o.Src) is not { } s || Meet(Dst, o.Dst) is not { } d
            || Meet(SPort, o.SPort) is not { } sp || Meet(DPort, o.DPort) is not { } dp
            || Mark.Intersect(o.Mark) is not { } m || CtMark.Intersect(o.CtMark) is not { } cm)
        {
            return null;
        }

        var iif = Iif & o.Iif;
        var oif = Oif & o.Oif;
        if (iif == 0 || oif == 0)
        {
            return null;
        }

        return new Cube(p, s, d, sp, dp, m, cm, iif, oif);
    }

    public bool Intersects(Cube o) => Intersect(o) is not null;

    /// <summary>True when every packet of this cube lies in <paramref name="o"/>.</summary>
    public bool SubsetOf(Cube o) =>
        In(Proto, o.Proto) && In(Src, o.Src) && In(Dst, o.Dst) && In(SPort, o.SPort) && In(DPort, o.DPort)
        && (o.Mark.Care & ~Mark.Care) == 0 && ((Mark.Value ^ o.Mark.Value) & o.Mark.Care) == 0
        && (o.CtMark.Care & ~CtMark.Care) == 0 && ((CtMark.Value ^ o.CtMark.Value) & o.CtMark.Care) == 0
        && (Iif & ~o.Iif) == 0 && (Oif & ~o.Oif) == 0;

    private static bool In(Interval a, Interval b) => a.Min >= b.Min && a.Max <= b.Max;

    /// <summary>How many interval dimensions <see cref="IntervalAt"/> numbers: 0 Dst, 1 DPort, 2 Src, 3 SPort, 4 Proto.</summary>
    public const int IntervalDimensions = 5;

    /// <summary>The order <see cref="MinusInto"/> splits the interval dimensions in: protocol, source, destination, ports.</summary>
    private static readonly int[] SplitOrder = [4, 2, 0, 3, 1];

    /// <summary>One interval dimension (numbered as in <see cref="IntervalDimensions"/>).</summary>
    public Interval IntervalAt(int dim) => dim switch
    {
        0 => Dst,
        1 => DPort,
        2 => Src,
        3 => SPort,
        _ => Proto,
    };

    /// <summary>This cube with one interval dimension replaced.</summary>
    public Cube WithInterval(int dim, Interval i) => dim switch
    {
        0 => this with { Dst = i },
        1 => this with { DPort = i },
        2 => this with { Src = i },
        3 => this with { SPort = i },
        _ => this with { Proto = i },
    };

    private static IEnumerable<Interval> IntervalMinus(Interval a, Interval b)
    {
        if (b.Min > a.Min)
        {
            yield return new Interval(a.Min, Math.Min(a.Max, b.Min - 1));
        }

        if (b.Max < a.Max)
        {
            yield return new Interval(Math.Max(a.Min, b.Max + 1), a.Max);
        }
    }

    /// <summary>This cube minus <paramref name="o"/> as disjoint cubes (split one dimension at a time).</summary>
    public void MinusInto(Cube o, List<Cube> output)
    {
        if (Intersect(o) is not { } x)
        {
            output.Add(this);
            return;
        }

        // Split off the parts outside o one dimension at a time (protocol, source, destination, ports), each time
        // keeping only the part inside o for the next dimension.
        var rest = this;
        foreach (var dim in SplitOrder)
        {
            var cut = x.IntervalAt(dim);
            foreach (var i in IntervalMinus(rest.IntervalAt(dim), cut))
            {
                output.Add(rest.WithInterval(dim, i));
            }

            rest = rest.WithInterval(dim, cut);
        }

        foreach (var t in rest.Mark.Minus(x.Mark))
        {
            output.Add(rest with { Mark = t });
        }

        rest = rest with { Mark = x.Mark };
        foreach (var t in rest.CtMark.Minus(x.CtMark))
        {
            output.Add(rest with { CtMark = t });
        }

        rest = rest with { CtMark = x.CtMark };
        if ((rest.Iif & ~x.Iif) != 0)
        {
            output.Add(rest with { Iif = rest.Iif & ~x.Iif });
        }

        rest = rest with { Iif = x.Iif };
        if ((rest.Oif & ~x.Oif) != 0)
        {
            output.Add(rest with { Oif = rest.Oif & ~x.Oif });
        }
    }
}

/// <summary>A union of cubes (possibly overlapping): a set of first packets.</summary>
internal sealed class Region
{
    public Region(List<Cube> cubes) => Cubes = cubes;

    public List<Cube> Cubes { get; }

    public static Region Empty => new([]);

    public static Region Full => new([Cube.Full]);

    public bool IsEmpty => Cubes.Count == 0;

    public Region Intersect(Region o)
    {
        var list = new List<Cube>();
        foreach (var a in Cubes)
        {
            foreach (var b in o.Cubes)
            {
                if (a.Intersect(b) is { } c)
                {
                    list.Add(c);
                }
            }
        }

        return new Region(list);
    }

    public bool Intersects(Region o) => Cubes.Any(a => o.Cubes.Any(a.Intersects));

    public Region Minus(Region o)
    {
        var current = Cubes;
        foreach (var b in o.Cubes)
        {
            var next = new List<Cube>(current.Count + 4);
            foreach (var a in current)
            {
                a.MinusInto(b, next);
            }

            current = next;
            if (current.Count == 0)
            {
                break;
            }
        }

        return new Region(current);
    }

    public Region Union(Region o)
    {
        if (o.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return o;
        }

        var list = new List<Cube>(Cubes.Count + o.Cubes.Count);
        list.AddRange(Cubes);
        list.AddRange(o.Cubes);
        return new Region(list);
    }

    public Region Map(Func<Cube, Cube> f) => new(Cubes.Select(f).ToList());

    /// <summary>
    /// The same set with fewer cubes: cubes equal in every dimension but one, whose intervals there touch or overlap,
    /// become one (one pass per interval dimension). Subtracting rules that constrain different dimensions (services
    /// by address and port, then node ports by port only) would otherwise multiply the pieces.
    /// </summary>
    public Region Coalesce()
    {
        if (Cubes.Count < 2)
        {
            return this;
        }

        var list = Cubes;
        for (var dim = 0; dim < Cube.IntervalDimensions; dim++)
        {
            var groups = new Dictionary<Cube, List<Interval>>();
            foreach (var c in list)
            {
                var key = c.WithInterval(dim, default);
                if (!groups.TryGetValue(key, out var l))
                {
                    groups[key] = l = [];
                }

                l.Add(c.IntervalAt(dim));
            }

            if (groups.Count == list.Count)
            {
                continue;
            }

            var next = new List<Cube>(groups.Count);
            foreach (var (key, intervals) in groups)
            {
                intervals.Sort((a, b) => a.Min.CompareTo(b.Min));
                var cur = intervals[0];
                for (var i = 1; i < intervals.Count; i++)
                {
                    var n = intervals[i];
                    if ((ulong)n.Min <= (ulong)cur.Max + 1)
                    {
                        cur = new Interval(cur.Min, Math.Max(cur.Max, n.Max));
                    }
                    else
                    {
                        next.Add(key.WithInterval(dim, cur));
                        cur = n;
                    }
                }

                next.Add(key.WithInterval(dim, cur));
            }

            list = next;
        }

        return new Region(list);
    }
}

/// <summary>
/// The interface names a ruleset and its context mention, as atoms of the interface dimensions: each concrete name,
/// and for each wildcard (<c>eth+</c>, <c>veth*</c>) one atom for "another name with this prefix", plus one atom for
/// every other name. A match on names is then a set of atoms, exactly.
/// </summary>
internal sealed class InterfaceAtoms
{
    private readonly List<string> _names = [];
    private readonly List<string> _prefixes = [];

    public InterfaceAtoms(IEnumerable<string> patterns)
    {
        foreach (var p in patterns.Distinct(StringComparer.Ordinal))
        {
            if (IsWildcard(p))
            {
                _prefixes.Add(p[..^1]);
            }
            else
            {
                _names.Add(p);
            }
        }

        if (_names.Count + _prefixes.Count + 1 > 64)
        {
            throw new PolicyBoundException($"more than 63 distinct interface names and wildcards ({_names.Count + _prefixes.Count}); the analysis tracks at most 63");
        }
    }

    private static bool IsWildcard(string p) => p.EndsWith('+') || p.EndsWith('*');

    public IReadOnlyList<string> Names => _names;

    /// <summary>The atoms a pattern matches (<c>ifname_compare</c>: exact, or prefix for a trailing wildcard).</summary>
    public ulong Matching(string pattern)
    {
        ulong bits = 0;
        if (IsWildcard(pattern))
        {
            var prefix = pattern[..^1];
            for (var i = 0; i < _names.Count; i++)
            {
                if (_names[i].StartsWith(prefix, StringComparison.Ordinal))
                {
                    bits |= 1ul << i;
                }
            }

            for (var j = 0; j < _prefixes.Count; j++)
            {
                // The "other name with prefix q" atom lies inside this wildcard when q extends prefix.
                if (_prefixes[j].StartsWith(prefix, StringComparison.Ordinal))
                {
                    bits |= 1ul << (_names.Count + j);
                }
            }

            if (prefix.Length == 0)
            {
                bits = ulong.MaxValue;
            }
        }
        else
        {
            var i = _names.IndexOf(pattern);
            if (i >= 0)
            {
                bits |= 1ul << i;
            }
        }

        return bits;
    }

    /// <summary>A name inside the atoms (for witnesses), or null when only unnamed atoms remain.</summary>
    public string? NameIn(ulong bits)
    {
        for (var i = 0; i < _names.Count; i++)
        {
            if ((bits & (1ul << i)) != 0)
            {
                return _names[i];
            }
        }

        return null;
    }
}

/// <summary>A bound of <see cref="PolicyOptions"/> or of the representation cut the analysis short.</summary>
public sealed class PolicyBoundException(string message) : Exception(message);
