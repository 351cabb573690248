namespace NatVerify.Model.Addressing;

/// <summary>An interval of port numbers none of which a scenario names; its members are interchangeable.</summary>
/// <param name="Lo">First port of the interval.</param>
/// <param name="Hi">Last port of the interval.</param>
/// <param name="Unnamed">How many ports of the interval are not named anywhere in the scenario.</param>
public sealed record PortAtom(int Lo, int Hi, int Unnamed);

/// <summary>
/// The finite port vocabulary of one scenario: the concrete ports it names (plus every port of small
/// intervals) and the large intervals ("atoms") whose unnamed members are represented by fresh ports.
/// </summary>
/// <remarks>
/// Atom boundaries are the kernel's port-class boundaries (1, 512, 600, 1024) and both ends of every
/// port range the scenario's rules mention, so every atom lies entirely inside or entirely outside
/// every range and class the model can ask about. Intervals with at most <see cref="ConcreteThreshold"/>
/// unnamed ports are enumerated concretely: exhausting them is a real outcome (a small
/// <c>--to-ports</c> range), and the kernel's capped search scans such a range completely.
/// </remarks>
public sealed class PortUniverse
{
    /// <summary>Intervals with at most this many unnamed ports are enumerated port by port.</summary>
    public const int ConcreteThreshold = 128;

    private static readonly int[] ClassBoundaries = [0, 1, 512, 600, 1024, 65536];

    // The same lists as arrays, for the port search of every NAT successor (no enumerator, no bounds through an interface).
    private readonly int[] _concrete;
    private readonly PortAtom[] _atoms;

    private PortUniverse(int[] concrete, PortAtom[] atoms)
    {
        _concrete = concrete;
        _atoms = atoms;
        Concrete = concrete;
        Atoms = atoms;
    }

    /// <summary>Concrete port numbers, ascending.</summary>
    public IReadOnlyList<int> Concrete { get; }

    /// <summary>Abstract atoms, ascending; a fresh port's <see cref="Port.Atom"/> indexes this list.</summary>
    public IReadOnlyList<PortAtom> Atoms { get; }

    /// <summary>Builds the universe from the named ports and the ranges the scenario's rules use.</summary>
    /// <param name="namedPorts">Every port the scenario names: concrete.</param>
    /// <param name="ranges">Every port range a rule uses: its ends are atom boundaries.</param>
    /// <param name="abstractRanges">
    /// Ranges whose unnamed ports stay atoms however few they are (the ranges of <c>pools:</c>: the pool holds "some N" of
    /// them, counted per pool, so they must not be enumerated one by one); their ends are atom boundaries too.
    /// </param>
    public static PortUniverse Create(IEnumerable<int> namedPorts, IEnumerable<PortRange> ranges, IEnumerable<PortRange>? abstractRanges = null)
    {
        var named = new SortedSet<int>(namedPorts);
        var cuts = new SortedSet<int>(ClassBoundaries);
        var keepAbstract = abstractRanges?.ToList() ?? [];
        foreach (var range in ranges.Concat(keepAbstract))
        {
            cuts.Add(range.Min);
            cuts.Add(range.Max + 1);
        }

        var concrete = new SortedSet<int>(named);
        var atoms = new List<PortAtom>();
        var bounds = cuts.Where(c => c is >= 0 and <= 65536).ToArray();
        for (var i = 0; i + 1 < bounds.Length; i++)
        {
            int lo = bounds[i], hi = bounds[i + 1] - 1;
            var unnamed = hi - lo + 1 - named.GetViewBetween(lo, hi).Count;
            var forced = keepAbstract.Any(r => r.Min <= lo && hi <= r.Max);
            if (forced && unnamed > 0)
            {
                atoms.Add(new PortAtom(lo, hi, unnamed));
            }
            else if (unnamed <= ConcreteThreshold)
            {
                for (var p = lo; p <= hi; p++)
                {
                    concrete.Add(p);
                }
            }
            else
            {
                atoms.Add(new PortAtom(lo, hi, unnamed));
            }
        }

        return new PortUniverse(concrete.ToArray(), atoms.ToArray());
    }

    /// <summary>True when <paramref name="port"/> lies in the inclusive range [min, max].</summary>
    public bool InRange(Port port, int min, int max)
    {
        if (!port.IsFresh)
        {
            return port.Raw >= min && port.Raw <= max;
        }

        var atom = _atoms[port.Atom];
        return atom.Lo >= min && atom.Hi <= max;
    }

    /// <summary>The lowest port number the value can stand for (its own number, or its atom's first port).</summary>
    public int LowerBound(Port port) => port.IsFresh ? _atoms[port.Atom].Lo : port.Raw;

    /// <summary>
    /// The kernel's port class of a port, <c>nf_nat_l4proto_unique_tuple</c> without PROTO_SPECIFIED:
    /// below 512 -> 1-511, 512..1023 -> 600-1023 (512..599 map up), otherwise 1024-65535.
    /// </summary>
    public PortRange ClassOf(Port port) => KernelPortClass(LowerBound(port));

    /// <summary>The port class of a concrete number (see <see cref="ClassOf"/>).</summary>
    public static PortRange KernelPortClass(int number) => number switch
    {
        < 512 => new PortRange(1, 511),
        < 1024 => new PortRange(600, 1023),
        _ => new PortRange(1024, 65535),
    };

    /// <summary>The concrete ports inside [min, max], ascending.</summary>
    public IEnumerable<int> ConcreteIn(int min, int max)
    {
        foreach (var p in Concrete)
        {
            if (p >= min && p <= max)
            {
                yield return p;
            }
        }
    }

    /// <summary>The concrete ports inside [min, max], ascending, as a view of the universe's sorted array (no allocation).</summary>
    internal ReadOnlySpan<int> ConcreteSpanIn(int min, int max)
    {
        var from = LowerIndex(min);
        var to = max == int.MaxValue ? _concrete.Length : LowerIndex(max + 1);
        return from >= to ? [] : _concrete.AsSpan(from, to - from);
    }

    /// <summary>The atoms, ascending; a fresh port's <see cref="Port.Atom"/> indexes this span.</summary>
    internal ReadOnlySpan<PortAtom> AtomSpan => _atoms;

    /// <summary>The index of the first concrete port not below <paramref name="value"/>.</summary>
    private int LowerIndex(int value)
    {
        var index = Array.BinarySearch(_concrete, value);
        return index >= 0 ? index : ~index;
    }

    /// <summary>Indexes of the atoms inside [min, max].</summary>
    public IEnumerable<int> AtomsIn(int min, int max)
    {
        for (var i = 0; i < Atoms.Count; i++)
        {
            if (Atoms[i].Lo >= min && Atoms[i].Hi <= max)
            {
                yield return i;
            }
        }
    }

    /// <summary>Describes a port for people: a number, or "a fresh port in lo-hi".</summary>
    public string Describe(Port port) => port.IsPoolHeld
        ? $"pool-port({Atoms[port.Atom].Lo}-{Atoms[port.Atom].Hi})"
        : port.IsFresh
        ? $"fresh#{port.FreshIndex}({Atoms[port.Atom].Lo}-{Atoms[port.Atom].Hi})"
        : port.Raw.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
