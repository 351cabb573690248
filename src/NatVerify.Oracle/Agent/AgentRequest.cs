namespace NatVerify.Oracle.Agent;

/// <summary>
/// One command to an agent, sent as one JSON line on its standard input. <see cref="Op"/> is one of
/// <c>hello</c>, <c>serve</c>, <c>flows</c>, <c>start</c> (one flow, left running), <c>collect</c> (its result, by
/// <see cref="Tag"/>), <c>close</c>, <c>report</c> and <c>exit</c>.
/// </summary>
public sealed record AgentRequest
{
    /// <summary>The operation.</summary>
    public required string Op { get; init; }

    /// <summary><c>serve</c>: TCP ports to accept connections on (0.0.0.0).</summary>
    public IReadOnlyList<int>? TcpPorts { get; init; }

    /// <summary><c>serve</c>: UDP ports to receive datagrams on (0.0.0.0).</summary>
    public IReadOnlyList<int>? UdpPorts { get; init; }

    /// <summary><c>serve</c>: record ICMP echo requests that reach this namespace.</summary>
    public bool Icmp { get; init; }

    /// <summary><c>serve</c>: portless IP protocols whose packets reaching this namespace are recorded (raw sockets).</summary>
    public IReadOnlyList<int>? RawProtocols { get; init; }

    /// <summary><c>flows</c>: the first packets to send.</summary>
    public IReadOnlyList<FlowRequest>? Flows { get; init; }

    /// <summary><c>flows</c>: send them all at once (threads released together) instead of one after another.</summary>
    public bool Concurrent { get; init; }

    /// <summary><c>close</c>: the tag of the connected TCP flow to close.</summary>
    public string? Tag { get; init; }

    /// <summary><c>close</c>: <c>fin</c> (orderly close, the server closes too) or <c>rst</c> (abort: SO_LINGER 0).</summary>
    public string? How { get; init; }
}
