using NatVerify.Model.Addressing;

namespace NatVerify.Oracle.Planning;

/// <summary>
/// One interface of the spec: a veth named like the spec's interface inside the NAT namespace, with the spec's
/// address, whose other end (<see cref="PeerInterface"/>) lives in its own namespace holding the hosts behind it.
/// </summary>
/// <param name="Interface">The spec's interface name (the veth's name in the NAT namespace).</param>
/// <param name="InterfaceAddress">The spec's address for it.</param>
/// <param name="Namespace">The peer namespace.</param>
/// <param name="PeerInterface">The veth's other end in the peer namespace.</param>
/// <param name="Addresses">The addresses of the hosts behind the interface (each a /32 on the peer end; the NAT namespace routes each here).</param>
/// <param name="RoutedOnly">Addresses the NAT namespace routes here that no namespace holds (destinations that only exist until a DNAT rewrites them).</param>
public sealed record PeerPlan(
    string Interface, Ipv4 InterfaceAddress, string Namespace, string PeerInterface, IReadOnlyList<Ipv4> Addresses, IReadOnlyList<Ipv4> RoutedOnly);
