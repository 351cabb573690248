using NatVerify.Oracle.Planning;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// Builds a <see cref="TopologyPlan"/> with <c>ip</c> and <c>sysctl</c>: namespaces, veths created directly inside
/// them (nothing is ever added to the host's namespace), the spec's interface addresses with their prefixes, /32 host
/// addresses, /32 routes from the NAT namespace to each
/// peer's hosts and a default route from each peer back to the NAT namespace. IPv6 is switched off, reverse-path
/// filtering relaxed and redirects off inside the namespaces so the only traffic is the scenario's. The <c>ip</c> commands of each
/// namespace run as one batch.
/// </summary>
public static class TopologyBuilder
{
    /// <summary>Creates everything; namespaces are tracked as soon as they exist, so a failure part-way leaves nothing behind once released.</summary>
    public static void Build(TopologyPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var ns in plan.Namespaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Netns.Add(ns);

            // Before any interface exists, so that the veths inherit the defaults. accept_local: a peer that is
            // both client and server (a pod reaching a service whose endpoint sits behind the same interface)
            // gets its own source address back after the NAT namespace's hairpin. No ICMP redirects either.
            Netns.Sysctl(
                ns,
                "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                "net.ipv4.conf.all.accept_local=1", "net.ipv4.conf.default.accept_local=1",
                "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var nat = new List<string> { "link set lo up" };
        foreach (var peer in plan.Peers)
        {
            nat.Add($"link add {peer.Interface} type veth peer name {peer.PeerInterface} netns {peer.Namespace}");
            // Every address in the spec's order with its prefix: __inet_insert_ifa marks an address inside an earlier
            // one's subnet (same mask) IFA_F_SECONDARY and keeps primaries in insertion order, so MASQUERADE's
            // inet_select_addr and REDIRECT's first ifa_list entry see what the model assumes. The /32 routes below are
            // more specific than the prefix routes these create, so each host is still reached where the plan put it.
            nat.AddRange(peer.InterfaceAddresses.Select(a => $"addr add {a.Address}/{a.PrefixLength} dev {peer.Interface}"));
            nat.Add($"link set {peer.Interface} up");
            nat.AddRange(peer.Addresses.Concat(peer.RoutedOnly).Select(a => $"route add {a}/32 dev {peer.Interface}"));
        }

        nat.AddRange(plan.LoopbackAddresses.Select(a => $"addr add {a}/32 dev lo"));
        Netns.IpBatch(plan.NatNamespace, nat);
        foreach (var peer in plan.Peers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var commands = new List<string> { "link set lo up" };
            commands.AddRange(peer.Addresses.Select(a => $"addr add {a}/32 dev {peer.PeerInterface}"));
            commands.Add($"link set {peer.PeerInterface} up");
            commands.Add($"route add default via {peer.InterfaceAddress} dev {peer.PeerInterface} onlink");
            Netns.IpBatch(peer.Namespace, commands);
        }

        if (plan.Forwarding)
        {
            Netns.Sysctl(plan.NatNamespace, "net.ipv4.ip_forward=1");
        }
    }

    /// <summary>Deletes the plan's namespaces (which takes their veths, routes, rules and conntrack tables with them).</summary>
    public static void Teardown(TopologyPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var ns in plan.Namespaces.Reverse())
        {
            Netns.Delete(ns);
        }
    }
}
