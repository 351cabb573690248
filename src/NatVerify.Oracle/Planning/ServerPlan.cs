namespace NatVerify.Oracle.Planning;

/// <summary>What one namespace's agent serves: TCP and UDP ports (on every address) and whether it records ICMP echo requests.</summary>
public sealed record ServerPlan(IReadOnlyList<int> TcpPorts, IReadOnlyList<int> UdpPorts, bool Icmp);
