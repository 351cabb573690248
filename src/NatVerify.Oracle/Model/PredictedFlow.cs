using NatVerify.Model.Addressing;
using NatVerify.Model.Semantics;
using NatVerify.Model.Tuples;

namespace NatVerify.Oracle.Model;

/// <summary>
/// What the model says of one flow in one terminal state: its outcome, and the first packet as the receiver
/// sees it after every NAT manip (null when the packet is dropped). Ports may be fresh (abstract).
/// </summary>
/// <param name="Actor">The flow's name.</param>
/// <param name="Protocol">Its protocol.</param>
/// <param name="Outcome">The model's outcome for it.</param>
/// <param name="Delivered">The packet on the wire past the NAT box (ICMP: source port = echo id), or null when dropped.</param>
public sealed record PredictedFlow(string Actor, L4Protocol Protocol, Outcome Outcome, ConntrackTuple? Delivered);
