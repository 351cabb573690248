namespace NatVerify.Oracle.Planning;

/// <summary>
/// What one namespace's agent serves: TCP and UDP ports (on every address), whether it records ICMP echo requests, and
/// the portless IP protocols whose packets it records.
/// </summary>
public sealed record ServerPlan(IReadOnlyList<int> TcpPorts, IReadOnlyList<int> UdpPorts, bool Icmp)
{
    /// <summary>Portless IP protocol numbers recorded on raw sockets.</summary>
    public IReadOnlyList<int> RawProtocols { get; init; } = [];
}
