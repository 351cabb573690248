using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;

namespace NatVerify.Oracle.Planning;

/// <summary>
/// One interface of the spec: a veth named like the spec's interface inside the NAT namespace, with every address the
/// spec gives it, whose other end (<see cref="PeerInterface"/>) lives in its own namespace holding the hosts behind it.
/// </summary>
/// <param name="Interface">The spec's interface name (the veth's name in the NAT namespace).</param>
/// <param name="InterfaceAddress">The interface's first address (the peer's gateway).</param>
/// <param name="Namespace">The peer namespace.</param>
/// <param name="PeerInterface">The veth's other end in the peer namespace.</param>
/// <param name="Addresses">The addresses of the hosts behind the interface (each a /32 on the peer end; the NAT namespace routes each here).</param>
/// <param name="RoutedOnly">Addresses the NAT namespace routes here that no namespace holds (destinations that only exist until a DNAT rewrites them).</param>
public sealed record PeerPlan(
    string Interface, Ipv4 InterfaceAddress, string Namespace, string PeerInterface, IReadOnlyList<Ipv4> Addresses, IReadOnlyList<Ipv4> RoutedOnly)
{
    /// <summary>
    /// Every address of the interface with its prefix length, in the spec's order, exactly as the model sees them
    /// (<c>NatSemantics.InterfaceAddressesOf</c>): added in this order, <c>__inet_insert_ifa</c> makes the first address
    /// of each subnet primary and later ones in that subnet secondary, which is what MASQUERADE's
    /// <c>inet_select_addr</c> and REDIRECT's first <c>ifa_list</c> entry depend on.
    /// </summary>
    public IReadOnlyList<InterfaceAddress> InterfaceAddresses { get; init; } = [new(InterfaceAddress, 32)];
}
