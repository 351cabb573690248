using NatVerify.Model.Addressing;

namespace NatVerify.Oracle.Planning;

/// <summary>
/// The namespaces of one oracle run: the NAT namespace (the spec's ruleset and conntrack table, the spec's
/// interfaces) and one peer namespace per interface; which addresses live where, which namespaces serve which
/// ports, and where each flow's socket is opened.
/// </summary>
public sealed record TopologyPlan
{
    /// <summary>The namespace the spec's ruleset is loaded into and whose conntrack table is read.</summary>
    public required string NatNamespace { get; init; }

    /// <summary>One peer per spec interface.</summary>
    public required IReadOnlyList<PeerPlan> Peers { get; init; }

    /// <summary>Addresses the NAT namespace needs besides its interface addresses (local sources, local destinations), on its loopback.</summary>
    public required IReadOnlyList<Ipv4> LoopbackAddresses { get; init; }

    /// <summary>True when some flow is forwarded (the NAT namespace routes between its interfaces).</summary>
    public required bool Forwarding { get; init; }

    /// <summary>Servers, by namespace.</summary>
    public required IReadOnlyDictionary<string, ServerPlan> Servers { get; init; }

    /// <summary>Where each flow's socket is opened, by actor name.</summary>
    public required IReadOnlyDictionary<string, string> ClientNamespaces { get; init; }

    /// <summary>Which namespace owns each address.</summary>
    public required IReadOnlyDictionary<Ipv4, string> Owners { get; init; }

    /// <summary>Every namespace, the NAT namespace first.</summary>
    public IEnumerable<string> Namespaces => Peers.Select(p => p.Namespace).Prepend(NatNamespace);

    /// <summary>The namespaces that need an agent (clients or servers), in a stable order.</summary>
    public IReadOnlyList<string> AgentNamespaces =>
        Namespaces.Where(n => ClientNamespaces.Values.Contains(n) || Servers.ContainsKey(n)).ToList();

    /// <summary>True when a server listens at the address and port (TCP/UDP) or records echo requests there (ICMP).</summary>
    public bool Serves(L4Protocol protocol, Ipv4 address, int port)
    {
        var owner = address.Value >> 24 == 127 ? NatNamespace : Owners.GetValueOrDefault(address);
        if (owner is null || !Servers.TryGetValue(owner, out var server))
        {
            return false;
        }

        return protocol switch
        {
            L4Protocol.Tcp => server.TcpPorts.Contains(port),
            L4Protocol.Udp => server.UdpPorts.Contains(port),
            L4Protocol.Icmp => server.Icmp,
            _ => server.RawProtocols.Contains((int)protocol),
        };
    }
}
