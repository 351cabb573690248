using NatVerify.Model.Tuples;

namespace NatVerify.Reporting;

/// <summary>One packet a trace puts on the wire, with concrete ports.</summary>
/// <param name="Step">The step at which it is seen (its timestamp is this many seconds).</param>
/// <param name="AfterNat">False: the headers as sent (or as received), before NAT; true: the headers after NAT, as the packet leaves.</param>
/// <param name="Actor">The flow's name.</param>
/// <param name="Tuple">The packet's tuple (addresses, ports or ICMP id), concrete.</param>
/// <param name="Comment">What the packet is, for the pcapng packet comment.</param>
public sealed record WirePacket(int Step, bool AfterNat, string Actor, ConntrackTuple Tuple, string Comment);
