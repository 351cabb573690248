namespace NatVerify.Oracle.Agent;

/// <summary>
/// One flow an agent opens: a socket with <c>SO_MARK</c>, bound to the source, sending its first packet to the
/// destination (TCP connect, a UDP datagram, or an ICMP echo request with the given id). The payload (UDP,
/// ICMP) or the first line written after connecting (TCP) is <see cref="Tag"/>, so servers can tell flows apart.
/// </summary>
public sealed record FlowRequest
{
    /// <summary>Identifies the flow at the servers.</summary>
    public required string Tag { get; init; }

    /// <summary><c>tcp</c>, <c>udp</c>, <c>icmp</c> or <c>raw</c> (a portless protocol, <see cref="ProtocolNumber"/>).</summary>
    public required string Protocol { get; init; }

    /// <summary><c>raw</c>: the IP protocol number (GRE 47 gets a version-0 header).</summary>
    public int ProtocolNumber { get; init; }

    /// <summary>Source address to bind.</summary>
    public required string Source { get; init; }

    /// <summary>Source port to bind (TCP, UDP).</summary>
    public int SourcePort { get; init; }

    /// <summary>Destination address.</summary>
    public required string Destination { get; init; }

    /// <summary>Destination port (TCP, UDP).</summary>
    public int DestinationPort { get; init; }

    /// <summary>ICMP echo id.</summary>
    public int IcmpId { get; init; }

    /// <summary>The socket mark (<c>SO_MARK</c>); 0 leaves it unset.</summary>
    public uint Mark { get; init; }

    /// <summary>How long to wait for the connection (TCP) or the echo reply (ICMP).</summary>
    public int TimeoutMs { get; init; } = 400;
}
