using NatVerify.Model.Addressing;

namespace NatVerify.Oracle.Kernel;

/// <summary>What the kernel did with one flow: what its socket saw and where (if anywhere) its first packet arrived.</summary>
/// <param name="Actor">The flow's name.</param>
/// <param name="Protocol">Its protocol.</param>
/// <param name="ClientResult">The agent's result: connected, refused, timeout, unreachable, sent, replied or error.</param>
/// <param name="Detail">The agent's message, if any.</param>
/// <param name="SynRetransmits">TCP: SYNs retransmitted before the connect finished or was abandoned.</param>
/// <param name="ReplyId">ICMP: the echo id of the reply the socket got.</param>
/// <param name="Sightings">Every arrival of the flow's tag at a server.</param>
public sealed record ObservedFlow(
    string Actor, L4Protocol Protocol, string ClientResult, string? Detail, int SynRetransmits, int? ReplyId, IReadOnlyList<Sighting> Sightings);
