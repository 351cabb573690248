using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.Tuples;
using NatVerify.Oracle.Model;

namespace NatVerify.Oracle.Planning;

/// <summary>
/// Lays a scenario out on namespaces. The NAT namespace gets the spec's interfaces (veths) with every address the
/// spec gives them (several per interface, with their prefixes, in the spec's order); behind each interface a peer namespace holds the hosts reached through it: the sources of forwarded
/// and locally delivered flows and every address the model says a first packet can be delivered to, each served
/// (DNAT targets included, every address of a DNAT range the model delivers into; a destination that only exists
/// until a DNAT rewrites it is merely routed). Only the documentation
/// ranges 198.51.100.0/24, 203.0.113.0/24 and 192.0.2.0/24 (and loopback) are used, and the namespaces are
/// connected to nothing but each other.
/// </summary>
public static class TopologyPlanner
{
    /// <summary>The name of a veth's other end inside its peer namespace.</summary>
    public const string PeerInterface = "nvo-peer";

    private static readonly Cidr[] Allowed =
    [
        new(Ipv4.Parse("198.51.100.0"), 24), new(Ipv4.Parse("203.0.113.0"), 24), new(Ipv4.Parse("192.0.2.0"), 24),
    ];

    /// <summary>Plans the namespaces; throws <see cref="UnsupportedScenarioException"/> for layouts the oracle cannot build.</summary>
    public static TopologyPlan Plan(ScenarioModel scenario, IReadOnlyList<Prediction> predictions, string baseName)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(predictions);
        if (scenario.Pools.Count > 0)
        {
            // Which ports a pool holds is left open in the model; a real table would have to fix one placement.
            throw new UnsupportedScenarioException(
                $"the oracle does not build pools ('{scenario.Pools[0].Name}'): their ports are left open, a kernel run would fix them; write the entries as conntrack -I actors instead");
        }

        var interfaces = scenario.InterfaceAddresses.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (interfaces.Count == 0)
        {
            throw new UnsupportedScenarioException(
                "the oracle needs the spec to declare its interfaces ('interfaces:'): each becomes a veth in the NAT namespace");
        }

        var nat = baseName + "-nat";
        var peers = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<Ipv4, string>();
        var why = new Dictionary<Ipv4, string>();
        var loopback = new List<Ipv4>();
        for (var k = 0; k < interfaces.Count; k++)
        {
            var name = interfaces[k].Key;
            if (name is "lo" || name == PeerInterface)
            {
                throw new UnsupportedScenarioException($"interface name '{name}' is reserved in the oracle's namespaces");
            }

            peers[name] = $"{baseName}-p{k}";
            foreach (var address in NatSemantics.InterfaceAddressesOf(scenario, name))
            {
                Own(owners, why, address.Address, nat, $"an address of interface {name}");
            }
        }

        var clients = new Dictionary<string, string>(StringComparer.Ordinal);
        var servers = new Dictionary<string, (SortedSet<int> Tcp, SortedSet<int> Udp, bool Icmp, SortedSet<int> Raw)>(StringComparer.Ordinal);
        var forwarding = false;
        var routed = new Dictionary<Ipv4, string>();
        foreach (var flow in scenario.Actors.OfType<FlowActor>())
        {
            var original = flow.Original;

            // Where the model says first packets can arrive. The original destination is placed only when some
            // terminal state delivers there (or none delivers anywhere): a DNATed-only destination such as a
            // service address exists nowhere, as in real clusters, and is merely routed (local-out needs a route
            // before the OUTPUT DNAT is applied).
            var destinations = predictions.Select(p => p.Flows[flow.Name].Delivered).OfType<ConntrackTuple>()
                .Select(d => (d.DstIp, d.DstPort))
                .Distinct()
                .ToList();
            if (destinations.Count == 0)
            {
                destinations.Add((original.DstIp, original.DstPort));
            }

            // find_best_ips_proto makes the address a DNAT range gives a flow a known function of the flow (jhash2 of
            // source and destination), so the model predicts one address. The topology nevertheless hosts every address
            // of that range: hosting only the predicted one would turn a wrong prediction into "nobody answered" and
            // hide which address the kernel chose; with every candidate served, the report shows the kernel's pick.
            foreach (var (address, port) in destinations.Where(d => d.DstIp != original.DstIp).ToList())
            {
                foreach (var range in DnatRanges(scenario).Where(r => r.MinAddr.Value <= address.Value && address.Value <= r.MaxAddr.Value))
                {
                    for (var a = range.MinAddr.Value; a <= range.MaxAddr.Value && a >= range.MinAddr.Value; a++)
                    {
                        if (!destinations.Contains((new Ipv4(a), port)))
                        {
                            destinations.Add((new Ipv4(a), port));
                        }
                    }
                }
            }

            string receiver;
            switch (flow.Path)
            {
                case PacketPath.LocalOut:
                    clients[flow.Name] = nat;
                    if (owners.TryGetValue(original.SrcIp, out var srcOwner) && srcOwner != nat)
                    {
                        throw new UnsupportedScenarioException(
                            $"{original.SrcIp} would have to live in two namespaces: as {why[original.SrcIp]} and as the source of local-out flow {flow.Name}");
                    }

                    if (srcOwner is null)
                    {
                        Own(owners, why, original.SrcIp, nat, $"the source of local-out flow {flow.Name}");
                        loopback.Add(original.SrcIp);
                    }

                    receiver = Peer(peers, flow.OutInterface, flow, "out", "local-out");
                    routed.TryAdd(original.DstIp, receiver);
                    break;
                case PacketPath.Forward:
                    forwarding = true;
                    clients[flow.Name] = Peer(peers, flow.InInterface, flow, "in", "forwarded");
                    Own(owners, why, original.SrcIp, clients[flow.Name], $"the source of forwarded flow {flow.Name}");
                    receiver = Peer(peers, flow.OutInterface, flow, "out", "forwarded");
                    break;
                default:
                    clients[flow.Name] = Peer(peers, flow.InInterface, flow, "in", "local-in");
                    Own(owners, why, original.SrcIp, clients[flow.Name], $"the source of local-in flow {flow.Name}");
                    receiver = nat;
                    break;
            }

            foreach (var (address, port) in destinations)
            {
                var owner = address.Value >> 24 == 127 ? nat : owners.GetValueOrDefault(address);
                if (owner is null)
                {
                    owner = receiver;
                    Own(owners, why, address, owner, $"a destination of flow {flow.Name}");
                    if (owner == nat)
                    {
                        loopback.Add(address);
                    }
                }

                if (!servers.TryGetValue(owner, out var server))
                {
                    server = (new SortedSet<int>(), new SortedSet<int>(), false, new SortedSet<int>());
                }

                switch (original.Protocol)
                {
                    case L4Protocol.Tcp when !port.IsFresh:
                        server.Tcp.Add(port.Raw);
                        break;
                    case L4Protocol.Udp when !port.IsFresh:
                        server.Udp.Add(port.Raw);
                        break;
                    case L4Protocol.Icmp:
                        server.Icmp = true;
                        break;
                    case var p when p.IsPortless():
                        server.Raw.Add((int)p);
                        break;
                }

                servers[owner] = server;
            }
        }

        return new TopologyPlan
        {
            NatNamespace = nat,
            Peers = interfaces.Select(kv => new PeerPlan(
                kv.Key, kv.Value, peers[kv.Key], PeerInterface,
                owners.Where(o => o.Value == peers[kv.Key]).Select(o => o.Key).Order().ToList(),
                routed.Where(r => r.Value == peers[kv.Key] && !owners.ContainsKey(r.Key) && r.Key.Value >> 24 != 127).Select(r => r.Key).Order().ToList())
            {
                // Every address, as the model reads them: the first is the one REDIRECT takes and the peer's gateway.
                InterfaceAddresses = NatSemantics.InterfaceAddressesOf(scenario, kv.Key),
            }).ToList(),
            LoopbackAddresses = loopback,
            Forwarding = forwarding,
            Servers = servers.ToDictionary(kv => kv.Key, kv => new ServerPlan([.. kv.Value.Tcp], [.. kv.Value.Udp], kv.Value.Icmp) { RawProtocols = [.. kv.Value.Raw] }, StringComparer.Ordinal),
            ClientNamespaces = clients,
            Owners = owners,
        };
    }

    /// <summary>
    /// The address ranges of every DNAT rule of every table (at most <see cref="MaxHostedRange"/> addresses each: a wider
    /// range cannot be laid out in the documentation ranges anyway, and only its predicted address is hosted).
    /// </summary>
    private static IEnumerable<NatRange> DnatRanges(ScenarioModel scenario) =>
        scenario.Ruleset.Tables.SelectMany(t => t.Chains.Values).Concat(scenario.Ruleset.Tables.Count == 0 ? scenario.Ruleset.Chains.Values : [])
            .SelectMany(c => c.Rules)
            .Select(r => r.Target)
            .OfType<DnatTarget>()
            .Select(d => d.Range)
            .Where(r => r.MapIps && r.MaxAddr.Value >= r.MinAddr.Value && r.MaxAddr.Value - r.MinAddr.Value < MaxHostedRange);

    private const uint MaxHostedRange = 256;

    private static string Peer(Dictionary<string, string> peers, string? iface, FlowActor flow, string key, string kind) =>
        iface is not null && peers.TryGetValue(iface, out var ns)
            ? ns
            : throw new UnsupportedScenarioException(
                $"{kind} flow {flow.Name} needs an '{key}' interface for the oracle to know which side of the NAT namespace it is on");

    private static void Own(Dictionary<Ipv4, string> owners, Dictionary<Ipv4, string> why, Ipv4 address, string ns, string reason)
    {
        if (!Allowed.Any(c => c.Contains(address)))
        {
            throw new UnsupportedScenarioException(
                $"{reason} is {address}: the oracle only places addresses from 198.51.100.0/24, 203.0.113.0/24 and 192.0.2.0/24 in its namespaces");
        }

        if (owners.TryGetValue(address, out var existing) && existing != ns)
        {
            throw new UnsupportedScenarioException($"{address} would have to live in two namespaces: as {why[address]} and as {reason}");
        }

        owners[address] = ns;
        why.TryAdd(address, reason);
    }
}
