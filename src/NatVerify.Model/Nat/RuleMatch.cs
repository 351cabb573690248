using NatVerify.Model.Addressing;

namespace NatVerify.Model.Nat;

/// <summary>One optionally negated condition of a rule.</summary>
/// <typeparam name="T">The value the condition compares against.</typeparam>
public readonly record struct Condition<T>(T Value, bool Negated);

/// <summary>A mark match, <c>-m mark --mark value[/mask]</c>.</summary>
public readonly record struct MarkMatch(uint Value, uint Mask)
{
    /// <summary>True when the packet mark matches.</summary>
    public bool Matches(uint mark) => (mark & Mask) == Value;

    /// <inheritdoc />
    public override string ToString() => Mask == uint.MaxValue ? $"0x{Value:x}" : $"0x{Value:x}/0x{Mask:x}";
}

/// <summary>
/// The matches of one iptables rule (all must hold): protocol, source/destination prefix, source/destination
/// port ranges, packet mark, in/out interface (a trailing <c>+</c> is a prefix wildcard).
/// </summary>
public sealed record RuleMatch
{
    /// <summary><c>-p</c>.</summary>
    public Condition<L4Protocol>? Protocol { get; init; }

    /// <summary><c>-s</c>.</summary>
    public Condition<Cidr>? Source { get; init; }

    /// <summary><c>-d</c>.</summary>
    public Condition<Cidr>? Destination { get; init; }

    /// <summary><c>--sport</c> (tcp/udp only).</summary>
    public Condition<PortRange>? SourcePort { get; init; }

    /// <summary><c>--dport</c> (tcp/udp only).</summary>
    public Condition<PortRange>? DestinationPort { get; init; }

    /// <summary><c>-m mark --mark</c>.</summary>
    public Condition<MarkMatch>? Mark { get; init; }

    /// <summary><c>-i</c>.</summary>
    public Condition<string>? InInterface { get; init; }

    /// <summary><c>-o</c>.</summary>
    public Condition<string>? OutInterface { get; init; }

    /// <summary>
    /// <c>-m statistic --mode random --probability P</c>: matches with probability P, so for the model either
    /// way unless P is 0 or 1 (kube-proxy's iptables mode picks service endpoints with it).
    /// </summary>
    public Condition<double>? RandomProbability { get; init; }

    /// <summary>
    /// Further conjuncts in the common term form (multiport, iprange, addrtype, connmark, conntrack, icmp, tcp flags,
    /// nft sets and concatenations, numgen, jhash...). The typed fields above stay for the simple, common matches that
    /// the Z3 encoding and the generators understand; <see cref="AllTerms"/> gives the whole match as terms.
    /// </summary>
    public IReadOnlyList<MatchTerm> Terms { get; init; } = [];

    /// <summary>A match that accepts every packet.</summary>
    public static RuleMatch Any { get; } = new();

    /// <summary>Every port range this match mentions (they become port-atom boundaries).</summary>
    public IEnumerable<PortRange> PortRanges()
    {
        if (SourcePort is { } s)
        {
            yield return s.Value;
        }

        if (DestinationPort is { } d)
        {
            yield return d.Value;
        }
    }

    /// <summary>True when the match uses only the typed fields (no <see cref="Terms"/>).</summary>
    public bool IsSimple => Terms.Count == 0;

    /// <summary>The whole match as a list of terms: the typed fields lowered, then <see cref="Terms"/>.</summary>
    public IEnumerable<MatchTerm> AllTerms()
    {
        if (Protocol is { } p)
        {
            yield return new ValueTerm(PacketField.L4Proto, [Interval.Single((uint)p.Value)]) { Negated = p.Negated };
        }

        if (Source is { } s)
        {
            yield return new ValueTerm(PacketField.SrcAddr, [ToInterval(s.Value)]) { Negated = s.Negated };
        }

        if (Destination is { } d)
        {
            yield return new ValueTerm(PacketField.DstAddr, [ToInterval(d.Value)]) { Negated = d.Negated };
        }

        if (SourcePort is { } sp)
        {
            yield return new ValueTerm(PacketField.SrcPort, [new Interval((uint)sp.Value.Min, (uint)sp.Value.Max)]) { Negated = sp.Negated };
        }

        if (DestinationPort is { } dp)
        {
            yield return new ValueTerm(PacketField.DstPort, [new Interval((uint)dp.Value.Min, (uint)dp.Value.Max)]) { Negated = dp.Negated };
        }

        if (Mark is { } m)
        {
            yield return new MaskedTerm(PacketField.Mark, m.Value.Mask, [Interval.Single(m.Value.Value)]) { Negated = m.Negated };
        }

        if (InInterface is { } i)
        {
            yield return new InterfaceTerm(false, [i.Value]) { Negated = i.Negated };
        }

        if (OutInterface is { } o)
        {
            yield return new InterfaceTerm(true, [o.Value]) { Negated = o.Negated };
        }

        if (RandomProbability is { } r)
        {
            yield return new RandomTerm(r.Value) { Negated = r.Negated };
        }

        foreach (var term in Terms)
        {
            yield return term;
        }
    }

    /// <summary>A prefix as the interval of addresses it covers.</summary>
    public static Interval ToInterval(Cidr cidr)
    {
        var mask = cidr.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - cidr.PrefixLength);
        var low = cidr.Network.Value & mask;
        return new Interval(low, low | ~mask);
    }
}
