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
}
