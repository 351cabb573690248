using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Specs;

namespace NatVerify.Properties;

/// <summary>
/// The few values generators draw from. Keeping the vocabulary small is the collision bias: with three addresses
/// and a dozen ports, two flows, a SNAT target and a conntrack -I entry land on the same tuple often, which is where
/// null binding and confirm do their work. The port list always holds the kernel's port-class boundaries
/// (511/512, 599/600, 1023/1024) so classes and ranges are probed at their edges.
/// </summary>
/// <param name="Addresses">Host addresses flows, entries and NAT targets use.</param>
/// <param name="Ports">Ports (and ICMP ids) flows, entries and NAT ranges use.</param>
/// <param name="Marks">Packet marks flows carry and rules match.</param>
/// <param name="Interfaces">The namespace's interfaces and their addresses (MASQUERADE, REDIRECT, -i/-o).</param>
public sealed record Vocabulary(
    IReadOnlyList<Ipv4> Addresses,
    IReadOnlyList<int> Ports,
    IReadOnlyList<uint> Marks,
    IReadOnlyDictionary<string, Ipv4> Interfaces)
{
    /// <summary>The kernel's port-class boundaries (<c>nf_nat_l4proto_unique_tuple</c>).</summary>
    public static IReadOnlyList<int> ClassBoundaryPorts { get; } = [511, 512, 599, 600, 1023, 1024];

    /// <summary>
    /// The vocabulary of the generated suites: the seed article's addresses and ports (198.51.100.1:12345,
    /// 198.51.100.2:80, the thief's 54321), one address of another network, the class boundaries and two marks.
    /// </summary>
    public static Vocabulary Default { get; } = new(
        [Ipv4.Parse("198.51.100.1"), Ipv4.Parse("198.51.100.2"), Ipv4.Parse("203.0.113.1")],
        [12345, 80, 54321, .. ClassBoundaryPorts],
        [0, 0x64],
        new Dictionary<string, Ipv4> { ["veth0"] = Ipv4.Parse("198.51.100.1"), ["veth1"] = Ipv4.Parse("203.0.113.1") });

    /// <summary>
    /// The vocabulary of a user's spec: every address, port and mark its ruleset and actors mention (ports also one
    /// past each end of every range, so both sides of a range boundary occur), its interfaces, plus the class
    /// boundaries and mark 0.
    /// </summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The vocabulary.</returns>
    public static Vocabulary FromSpec(ScenarioSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return FromRuleset(spec.Model.Ruleset, spec.Model.InterfaceAddresses, spec.Model.Actors);
    }

    /// <summary>The vocabulary of a ruleset, its interfaces and (optionally) some actors; see <see cref="FromSpec"/>.</summary>
    /// <param name="ruleset">The ruleset.</param>
    /// <param name="interfaces">Interface addresses.</param>
    /// <param name="actors">Actors whose tuples contribute values.</param>
    /// <returns>The vocabulary.</returns>
    public static Vocabulary FromRuleset(NatRuleset ruleset, IReadOnlyDictionary<string, Ipv4> interfaces, IEnumerable<Actor> actors)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        ArgumentNullException.ThrowIfNull(interfaces);
        ArgumentNullException.ThrowIfNull(actors);
        var addresses = new SortedSet<Ipv4>(interfaces.Values);
        var ports = new SortedSet<int>(ClassBoundaryPorts);
        var marks = new SortedSet<uint> { 0 };
        foreach (var range in ruleset.PortRanges())
        {
            AddRange(ports, range.Min, range.Max);
        }

        foreach (var rule in ruleset.Chains.Values.SelectMany(c => c.Rules))
        {
            if (rule.Match.Source is { } s)
            {
                addresses.Add(s.Value.Network);
            }

            if (rule.Match.Destination is { } d)
            {
                addresses.Add(d.Value.Network);
            }

            if (rule.Match.Mark is { } m)
            {
                marks.Add(m.Value.Value);
                marks.Add(m.Value.Value ^ 1);
            }

            switch (rule.Target)
            {
                case SnatTarget { Range: var r } when r.MapIps:
                    addresses.Add(r.MinAddr);
                    addresses.Add(r.MaxAddr);
                    break;
                case DnatTarget { Range: var r } when r.MapIps:
                    addresses.Add(r.MinAddr);
                    addresses.Add(r.MaxAddr);
                    break;
            }
        }

        foreach (var actor in actors)
        {
            switch (actor)
            {
                case FlowActor f:
                    addresses.Add(f.Original.SrcIp);
                    addresses.Add(f.Original.DstIp);
                    ports.Add(f.Original.SrcPort.Raw);
                    if (f.Original.Protocol != L4Protocol.Icmp)
                    {
                        ports.Add(f.Original.DstPort.Raw);
                    }

                    marks.Add(f.Mark);
                    break;
                case CtnetlinkInsert c:
                    addresses.Add(c.Original.SrcIp);
                    addresses.Add(c.Original.DstIp);
                    addresses.Add(c.Reply.SrcIp);
                    addresses.Add(c.Reply.DstIp);
                    if (c.Original.Protocol != L4Protocol.Icmp)
                    {
                        ports.Add(c.Original.SrcPort.Raw);
                        ports.Add(c.Original.DstPort.Raw);
                        ports.Add(c.Reply.SrcPort.Raw);
                        ports.Add(c.Reply.DstPort.Raw);
                    }

                    break;
            }
        }

        if (addresses.Count == 0)
        {
            foreach (var a in Default.Addresses)
            {
                addresses.Add(a);
            }
        }

        // Port 0 is not a port a flow or a NAT range can use.
        return new Vocabulary([.. addresses], [.. ports.Where(p => p is > 0 and <= 65535)], [.. marks], interfaces);
    }

    private static void AddRange(SortedSet<int> ports, int min, int max)
    {
        ports.Add(min);
        ports.Add(max);
        if (min > 0)
        {
            ports.Add(min - 1);
        }

        if (max < 65535)
        {
            ports.Add(max + 1);
        }
    }
}
