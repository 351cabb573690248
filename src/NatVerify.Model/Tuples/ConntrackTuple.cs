using NatVerify.Model.Addressing;

namespace NatVerify.Model.Tuples;

/// <summary>
/// A conntrack tuple (<c>struct nf_conntrack_tuple</c>): the manipulable source half and the destination half.
/// For ICMP, <see cref="SrcPort"/> holds the echo id and <see cref="DstPort"/> holds <c>type &lt;&lt; 8 | code</c>.
/// </summary>
/// <remarks>Equality ignores direction, as <c>nf_ct_tuple_equal</c> does.</remarks>
public readonly record struct ConntrackTuple(L4Protocol Protocol, Ipv4 SrcIp, Port SrcPort, Ipv4 DstIp, Port DstPort)
{
    /// <summary>ICMP echo request type/code, as the tuple stores it.</summary>
    public static readonly Port IcmpEchoRequest = Port.Of(8 << 8);

    /// <summary>ICMP echo reply type/code.</summary>
    public static readonly Port IcmpEchoReply = Port.Of(0);

    /// <summary>
    /// <c>nf_ct_invert_tuple</c>: swap addresses and L4 keys; for ICMP keep the id and map echo request to echo reply.
    /// </summary>
    public ConntrackTuple Invert() => Protocol == L4Protocol.Icmp
        ? new ConntrackTuple(Protocol, DstIp, SrcPort, SrcIp, DstPort == IcmpEchoRequest ? IcmpEchoReply : IcmpEchoRequest)
        : new ConntrackTuple(Protocol, DstIp, DstPort, SrcIp, SrcPort);

    /// <summary>The L4 key a SRC manip may change: the source port, or the ICMP echo id.</summary>
    public Port SrcKey => SrcPort;

    /// <summary>Returns the tuple with another source address and port (or ICMP id).</summary>
    public ConntrackTuple WithSource(Ipv4 ip, Port port) => this with { SrcIp = ip, SrcPort = port };

    /// <summary>Returns the tuple with another destination address and port (never for ICMP's type/code).</summary>
    public ConntrackTuple WithDestination(Ipv4 ip, Port port) => this with { DstIp = ip, DstPort = port };

    /// <summary>Formats as <c>tcp 198.51.100.1:12345 -> 198.51.100.2:80</c> (ports as raw values).</summary>
    public override string ToString() => Protocol == L4Protocol.Icmp
        ? $"icmp {SrcIp} -> {DstIp} id={SrcPort} type={(DstPort.IsFresh ? 0 : DstPort.Raw >> 8)}"
        : Protocol.IsPortless() ? $"{Protocol.Name()} {SrcIp} -> {DstIp}" : $"{Protocol.Name()} {SrcIp}:{SrcPort} -> {DstIp}:{DstPort}";
}
