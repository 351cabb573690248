using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// The part of the model the bounded model checker encodes (docs/smt.md): TCP/UDP/ICMP and portless (GRE, numbered)
/// flows with SYN retransmissions, <c>conntrack -I</c> inserts, <c>conntrack -D</c> deletes and TCP closes; the rules of
/// every table with the matches, statements and targets the explicit engine interprets (DROP, REJECT, policies,
/// MARK/CONNMARK, notrack, nft nat chains), except NETMAP; SNAT/DNAT to an address range up to
/// <see cref="MaxAddressRange"/> addresses (concrete ones), no port, one port or a port range; the null binding; confirm
/// with clash resolution; order constraints and sequential schedules. Anything else is refused with a message naming it.
/// </summary>
public static class BmcSubset
{
    /// <summary>Most addresses of one SNAT/DNAT range (the address hash is evaluated for every concrete address pair).</summary>
    public const int MaxAddressRange = 256;

    /// <summary>Most actors encoded (the pigeonhole bound on taken ports relies on it).</summary>
    public const int MaxActors = 16;

    /// <summary>Most retransmissions of one flow's SYN (the attempt counter is 8-bit; the bound limits the steps anyway).</summary>
    public const int MaxRetries = 60;

    /// <summary>Largest bound (bysource time stamps are 8-bit).</summary>
    public const int MaxBound = 250;

    /// <summary>Throws <see cref="BmcUnsupportedException"/> when the scenario is outside the subset.</summary>
    public static void Check(ScenarioModel scenario)
    {
        if (scenario.Actors.Count > MaxActors)
        {
            throw new BmcUnsupportedException($"the scenario has {scenario.Actors.Count} actors; the BMC encoding takes at most {MaxActors}");
        }

        if (scenario.Pools.Count > 0)
        {
            throw new BmcUnsupportedException($"the scenario declares pools ('{scenario.Pools[0].Name}'): entries held as a count, which the BMC encoding has no table slots for (use 'natverify check')");
        }

        foreach (var actor in scenario.Actors)
        {
            switch (actor)
            {
                case FlowActor { Retries: > MaxRetries } r:
                    throw new BmcUnsupportedException($"actor '{r.Name}' retransmits its SYN {r.Retries} times; the BMC encoding takes at most {MaxRetries} (use 'natverify check')");
                case FlowActor or CtnetlinkInsert or ConnectionClose or CtnetlinkDelete:
                    break;
                case EntryTimeout t:
                    throw new BmcUnsupportedException($"actor '{t.Name}' is an entry timeout; the BMC encoding has no timeouts or garbage collection (use 'natverify check')");
                default:
                    throw new BmcUnsupportedException($"actor '{actor.Name}' is outside the BMC subset");
            }
        }

        // Every table's rules are encoded through the explicit engine's own walk (Encoding/RulesEncoder.cs); what
        // remains refused are targets whose result the walk cannot give on a packet class.
        foreach (var rule in scenario.Ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules))
        {
            var problem = rule.Target switch
            {
                SnatTarget { Range: var r } when r.MapIps && r.MaxAddr.Value - (ulong)r.MinAddr.Value >= MaxAddressRange =>
                    $"maps to more than {MaxAddressRange} addresses",
                DnatTarget { Range: var r } when r.MapIps && r.MaxAddr.Value - (ulong)r.MinAddr.Value >= MaxAddressRange =>
                    $"maps to more than {MaxAddressRange} addresses",
                NetmapTarget => "is a NETMAP (its address depends on every bit of the packet's address)",
                SnatTarget or DnatTarget or MasqueradeTarget or RedirectTarget or AcceptTarget or ReturnTarget or JumpTarget
                    or DropTarget or RejectTarget or ContinueTarget => null,
                _ => "has a target the encoding does not know",
            };
            if (problem is not null)
            {
                throw new BmcUnsupportedException($"rule '{rule.Text}' (line {rule.Line}) {problem}; outside the BMC subset (use 'natverify check')");
            }
        }
    }

    /// <summary>
    /// The number of steps after which no actor can step: every flow takes 4 per attempt (2 without a nat table, 1
    /// without conntrack) and one step per retransmission, every insert, close and delete 1.
    /// </summary>
    public static int FullDepth(ScenarioModel scenario) => scenario.Actors.Sum(a => a switch
    {
        FlowActor f => !Model.Semantics.ConntrackUse.Active(scenario.Ruleset) ? 1
            : (scenario.Ruleset.NatTablePresent ? 4 : 2) * (f.Retries + 1) + f.Retries,
        _ => 1,
    });
}
