namespace NatVerify.Oracle.Agent;

/// <summary>
/// One first packet as a server saw it: the peer's address and port (ICMP: the echo id) and the local address
/// and port it arrived at, with the tag the flow sent.
/// </summary>
public sealed record ServerRecord
{
    /// <summary><c>tcp</c>, <c>udp</c> or <c>icmp</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary>The tag the flow sent (empty when none arrived).</summary>
    public required string Tag { get; init; }

    /// <summary>The peer's address as seen here.</summary>
    public required string Source { get; init; }

    /// <summary>The peer's port (ICMP: the echo id) as seen here.</summary>
    public int SourcePort { get; init; }

    /// <summary>The local address the packet was sent to.</summary>
    public required string Destination { get; init; }

    /// <summary>The local port (ICMP: 0).</summary>
    public int DestinationPort { get; init; }
}
