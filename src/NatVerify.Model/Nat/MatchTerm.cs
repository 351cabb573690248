using NatVerify.Model.Addressing;

namespace NatVerify.Model.Nat;

/// <summary>
/// A packet or conntrack field a match can test. Numeric fields are compared as unsigned integers (addresses as
/// 32-bit host-order values, ports and ICMP ids as 16-bit, protocol as 8-bit).
/// </summary>
public enum PacketField
{
    /// <summary>IP protocol number (<c>-p</c>, nft <c>meta l4proto</c>/<c>ip protocol</c>).</summary>
    L4Proto,

    /// <summary>IPv4 source address.</summary>
    SrcAddr,

    /// <summary>IPv4 destination address.</summary>
    DstAddr,

    /// <summary>Transport source port (nft <c>th sport</c>, <c>tcp sport</c>...).</summary>
    SrcPort,

    /// <summary>Transport destination port.</summary>
    DstPort,

    /// <summary>ICMP type.</summary>
    IcmpType,

    /// <summary>ICMP code.</summary>
    IcmpCode,

    /// <summary>ICMP echo id.</summary>
    IcmpId,

    /// <summary>TCP flags byte (first packet: SYN).</summary>
    TcpFlags,

    /// <summary><c>skb-&gt;mark</c> (nft <c>meta mark</c>, <c>-m mark</c>).</summary>
    Mark,

    /// <summary><c>ct-&gt;mark</c> (nft <c>ct mark</c>, <c>-m connmark</c>).</summary>
    CtMark,

    /// <summary>Conntrack state bits (<see cref="CtStateBits"/>), as <c>xt_conntrack</c> / nft <c>ct state</c> compute them.</summary>
    CtState,

    /// <summary>Conntrack direction: 0 original, 1 reply (<c>--ctdir</c>, nft <c>ct direction</c>).</summary>
    CtDirection,

    /// <summary>Conntrack status bits (<c>IPS_*</c>; <c>--ctstatus</c>, nft <c>ct status</c>).</summary>
    CtStatus,

    /// <summary>Original-direction source address of the entry (<c>--ctorigsrc</c>, nft <c>ct original saddr</c>).</summary>
    CtOrigSrc,

    /// <summary>Original-direction destination address (<c>--ctorigdst</c>).</summary>
    CtOrigDst,

    /// <summary>Reply-direction source address (<c>--ctreplsrc</c>).</summary>
    CtReplSrc,

    /// <summary>Reply-direction destination address (<c>--ctrepldst</c>).</summary>
    CtReplDst,

    /// <summary>Original source port (<c>--ctorigsrcport</c>).</summary>
    CtOrigSrcPort,

    /// <summary>Original destination port (<c>--ctorigdstport</c>).</summary>
    CtOrigDstPort,

    /// <summary>Reply source port (<c>--ctreplsrcport</c>).</summary>
    CtReplSrcPort,

    /// <summary>Reply destination port (<c>--ctrepldstport</c>).</summary>
    CtReplDstPort,
}

/// <summary>The bits of <see cref="PacketField.CtState"/> (<c>XT_CONNTRACK_STATE_*</c> / nft <c>NF_CT_STATE_*_BIT</c>).</summary>
[Flags]
public enum CtStateBits : uint
{
    /// <summary>No bit.</summary>
    None = 0,

    /// <summary>INVALID.</summary>
    Invalid = 1,

    /// <summary>ESTABLISHED.</summary>
    Established = 2,

    /// <summary>RELATED.</summary>
    Related = 4,

    /// <summary>NEW.</summary>
    New = 8,

    /// <summary>UNTRACKED.</summary>
    Untracked = 64,

    /// <summary>SNAT (xt_conntrack only: the entry's reply source differs from the original destination).</summary>
    Snat = 128,

    /// <summary>DNAT (xt_conntrack only).</summary>
    Dnat = 256,
}

/// <summary>Address types (<c>-m addrtype</c>'s <c>XT_ADDRTYPE_*</c>, nft <c>fib ... type</c>); only the ones a rule can name.</summary>
[Flags]
public enum AddressTypes : uint
{
    /// <summary>No type.</summary>
    None = 0,

    /// <summary>UNSPEC.</summary>
    Unspec = 1 << 0,

    /// <summary>UNICAST.</summary>
    Unicast = 1 << 1,

    /// <summary>LOCAL: an address of this host (any interface, or the limited one).</summary>
    Local = 1 << 2,

    /// <summary>BROADCAST.</summary>
    Broadcast = 1 << 3,

    /// <summary>ANYCAST.</summary>
    Anycast = 1 << 4,

    /// <summary>MULTICAST.</summary>
    Multicast = 1 << 5,

    /// <summary>BLACKHOLE.</summary>
    Blackhole = 1 << 6,

    /// <summary>UNREACHABLE.</summary>
    Unreachable = 1 << 7,

    /// <summary>PROHIBIT.</summary>
    Prohibit = 1 << 8,
}

/// <summary>An inclusive interval of unsigned values.</summary>
public readonly record struct Interval(uint Min, uint Max)
{
    /// <summary>A single value.</summary>
    public static Interval Single(uint value) => new(value, value);

    /// <summary>True when the value lies inside.</summary>
    public bool Contains(uint value) => value >= Min && value <= Max;

    /// <inheritdoc />
    public override string ToString() => Min == Max ? Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Min}-{Max}";
}

/// <summary>
/// One conjunct of a rule's match, in a form both front ends lower into and every interpreter (the semantics, the
/// policy analysis) reads the same way. <see cref="Negated"/> negates the whole term (<c>!</c> / <c>!=</c>).
/// </summary>
public abstract record MatchTerm
{
    /// <summary>True when the term is negated.</summary>
    public bool Negated { get; init; }
}

/// <summary>
/// The field's value lies in one of <paramref name="Values"/> (a single value, a range, <c>-m multiport</c>,
/// <c>-m iprange</c>, a CIDR as an interval, an nft anonymous or named set).
/// </summary>
public sealed record ValueTerm(PacketField Field, IReadOnlyList<Interval> Values) : MatchTerm;

/// <summary>
/// <c>(field &amp; Mask)</c> lies in <paramref name="Values"/>: <c>-m mark --mark v/m</c>, <c>-m connmark</c>,
/// <c>--tcp-flags</c>, nft <c>meta mark &amp; 0x4000 == 0</c>, <c>ct state</c> bits.
/// </summary>
public sealed record MaskedTerm(PacketField Field, uint Mask, IReadOnlyList<Interval> Values) : MatchTerm;

/// <summary>
/// The in (<paramref name="Output"/> false) or out interface's name is one of <paramref name="Names"/>; a trailing
/// <c>+</c> (iptables) or <c>*</c> (nft) is a prefix wildcard. <c>iif</c>/<c>oif</c> (by index) lower to names.
/// </summary>
public sealed record InterfaceTerm(bool Output, IReadOnlyList<string> Names) : MatchTerm;

/// <summary>
/// <c>-m addrtype --src-type/--dst-type</c> (<c>addrtype_mt_v1</c>) and nft <c>fib saddr|daddr type</c>: the
/// address's type is one of <paramref name="Types"/>, looked up from the host's interface addresses; with a limit the
/// lookup is restricted to the in (<c>--limit-iface-in</c>, <c>fib ... . iif</c>) or out interface.
/// </summary>
public sealed record AddressTypeTerm(bool Destination, AddressTypes Types, bool LimitToInInterface, bool LimitToOutInterface) : MatchTerm;

/// <summary>
/// Concatenated lookup (nft <c>ip daddr . meta l4proto . th dport @set</c>): the tuple of
/// <paramref name="Fields"/> equals one of <paramref name="Elements"/> (each element an interval per field).
/// </summary>
public sealed record ConcatTerm(IReadOnlyList<PacketField> Fields, IReadOnlyList<IReadOnlyList<Interval>> Elements) : MatchTerm;

/// <summary>
/// <c>-m statistic --mode random --probability P</c> (<c>statistic_mt</c>, prandom) and nft <c>numgen random mod N</c>
/// compared with a set: the kernel draws at random, so the model takes both branches unless P is 0 or 1.
/// </summary>
public sealed record RandomTerm(double Probability) : MatchTerm;

/// <summary>How a deterministic-but-stateful or hash selector picks.</summary>
public enum SelectorKind
{
    /// <summary><c>-m statistic --mode nth --every N --packet P</c> / nft <c>numgen inc mod N</c>: a per-rule counter.</summary>
    Counter,

    /// <summary>nft <c>jhash ... mod N seed S offset O</c>: <c>jhash</c> of the listed fields.</summary>
    JHash,

    /// <summary>nft <c>symhash mod N</c>.</summary>
    SymHash,

    /// <summary>nft <c>numgen random mod N</c>.</summary>
    Random,
}

/// <summary>
/// A selector's value (<c>counter mod Modulus + Offset</c>, or a hash of <paramref name="Fields"/>) lies in
/// <paramref name="Values"/>. The semantics decides per kind which values are reachable (a counter's value depends on
/// how many packets passed before, a hash on the fields and seed).
/// </summary>
public sealed record SelectorTerm(SelectorKind Kind, uint Modulus, uint Offset, uint Seed, IReadOnlyList<PacketField> Fields, IReadOnlyList<Interval> Values) : MatchTerm;

/// <summary>
/// A construct the model does not interpret, kept only when the user asked to over-approximate
/// (<c>--assume-unmodelled may-match</c>): it may match or not, and every result says so.
/// </summary>
public sealed record UnmodelledTerm(string Construct, RuleLocation Location) : MatchTerm;
