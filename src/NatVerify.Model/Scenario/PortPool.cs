using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Scenario;

/// <summary>
/// <see cref="Entries"/> confirmed conntrack entries that exist before any actor steps and never change during the run:
/// each holds the reply tuple <c>Destination:DestinationPort -> Address:p</c> (protocol <see cref="Protocol"/>) for a
/// distinct port <c>p</c> of <see cref="Ports"/> that the scenario names nowhere else (which ports is left open: every
/// placement is covered), so a 64- or 1,024-port SNAT pool can be filled without one actor per entry. Their original
/// tuples come from peers the scenario does not name (clients behind the SNAT, or local sockets), so no flow's lookup
/// joins them; they are established (never evicted by <c>nf_nat_used_tuple_harder</c>), never time out, and carry
/// both NAT_DONE bits, as every entry that passed the NAT hooks does.
/// </summary>
/// <param name="Name">Name, for reports (distinct from every actor's).</param>
/// <param name="Protocol">TCP or UDP.</param>
/// <param name="Address">The address whose ports the entries hold (the NAT source address).</param>
/// <param name="Ports">The range the held ports lie in.</param>
/// <param name="Destination">The address the entries' connections go to.</param>
/// <param name="DestinationPort">Their destination port.</param>
/// <param name="Entries">How many entries (1 .. the number of ports of the range the scenario does not name).</param>
public sealed record PortPool(string Name, L4Protocol Protocol, Ipv4 Address, PortRange Ports, Ipv4 Destination, int DestinationPort, int Entries)
{
    /// <summary>Most pools a scenario may declare.</summary>
    public const int MaxPools = 16;

    /// <summary>True when <paramref name="reply"/> has the shape of this pool's reply tuples (any port).</summary>
    public bool Shapes(ConntrackTuple reply) =>
        reply.Protocol == Protocol && reply.SrcIp == Destination && reply.SrcPort == Port.Of(DestinationPort) && reply.DstIp == Address;
}
