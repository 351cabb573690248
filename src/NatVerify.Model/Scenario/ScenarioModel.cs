using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Model.Scenario;

/// <summary>
/// Everything the semantics needs about one scenario: the ruleset, interface addresses (for MASQUERADE and
/// REDIRECT), the actors, ordering constraints and whether actors run one after another.
/// </summary>
public sealed record ScenarioModel(
    string Name,
    NatRuleset Ruleset,
    IReadOnlyDictionary<string, Ipv4> InterfaceAddresses,
    IReadOnlyList<Actor> Actors,
    IReadOnlyList<OrderConstraint> Constraints,
    bool Sequential)
{
    /// <summary>
    /// Every interface with all its addresses (as <c>ip -j addr show</c> lists them), for MASQUERADE
    /// (<c>inet_select_addr</c>), REDIRECT, <c>addrtype</c>/<c>fib ... type local</c>. When empty,
    /// <see cref="InterfaceAddresses"/> (one address each) is the whole truth.
    /// </summary>
    public IReadOnlyList<InterfaceInfo> Interfaces { get; init; } = [];

    /// <summary>Entries that hold ports of a range before the run starts (<c>pools:</c>), without an actor each.</summary>
    public IReadOnlyList<PortPool> Pools { get; init; } = [];

    /// <summary>Index of the actor with the given name, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Actors.Count; i++)
        {
            if (Actors[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Every concrete port the scenario names (flows, ctnetlink tuples and filters).</summary>
    public IEnumerable<int> NamedPorts()
    {
        foreach (var actor in Actors)
        {
            switch (actor)
            {
                case FlowActor f:
                    yield return f.Original.SrcPort.Raw;
                    if (f.Original.Protocol != L4Protocol.Icmp)
                    {
                        yield return f.Original.DstPort.Raw;
                    }

                    break;
                case CtnetlinkInsert c:
                    yield return c.Original.SrcPort.Raw;
                    yield return c.Reply.SrcPort.Raw;
                    if (c.Original.Protocol != L4Protocol.Icmp)
                    {
                        yield return c.Original.DstPort.Raw;
                        yield return c.Reply.DstPort.Raw;
                    }

                    break;
                case CtnetlinkDelete d:
                    // A filter port must be a concrete member of the universe: otherwise a random pick (a fresh
                    // port) could never equal it, and the kernel's pick can be exactly the filtered port.
                    foreach (var port in FilterPorts(d.Filter))
                    {
                        yield return port;
                    }

                    break;
            }
        }

        foreach (var pool in Pools)
        {
            yield return pool.DestinationPort;
        }
    }

    private static IEnumerable<int> FilterPorts(TupleFilter filter)
    {
        foreach (var partial in new[] { filter.Original, filter.Reply })
        {
            if (partial.SrcPort is { } sp)
            {
                yield return sp;
            }

            if (partial.DstPort is { } dp)
            {
                yield return dp;
            }
        }
    }
}

/// <summary>An address of an interface with its prefix length (<c>ip addr</c>'s <c>198.51.100.1/24</c>).</summary>
public readonly record struct InterfaceAddress(Ipv4 Address, int PrefixLength);

/// <summary>
/// One interface of the host: its name, its addresses in the kernel's order (the first of a subnet is primary), and an
/// optional role a context file gives (<c>lan</c>, <c>wan</c>...).
/// </summary>
public sealed record InterfaceInfo(string Name, IReadOnlyList<InterfaceAddress> Addresses, string? Role = null);
