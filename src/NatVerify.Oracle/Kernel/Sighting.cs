using NatVerify.Model.Tuples;

namespace NatVerify.Oracle.Kernel;

/// <summary>A flow's first packet as a server saw it (ICMP: source port = echo id, destination port = echo request type), and where.</summary>
public sealed record Sighting(ConntrackTuple Packet, string Namespace);
