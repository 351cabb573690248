using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// The part of the model the bounded model checker encodes (docs/smt.md): TCP/UDP/ICMP flows and <c>conntrack -I</c>
/// inserts; nat rules with SNAT/DNAT/MASQUERADE/REDIRECT to one address or an address range (up to
/// <see cref="MaxAddressRange"/>, with concrete addresses), no port, one port or a port range, ACCEPT, RETURN, jumps
/// and gotos; the null binding; confirm with clash resolution; order constraints and sequential
/// schedules. Anything else is refused with a message naming it.
/// </summary>
public static class BmcSubset
{
    /// <summary>Most addresses of one SNAT/DNAT range (the address hash is evaluated for every concrete address pair).</summary>
    public const int MaxAddressRange = 256;

    /// <summary>Most actors encoded (the pigeonhole bound on taken ports relies on it).</summary>
    public const int MaxActors = 16;

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
                case FlowActor f when f.Original.Protocol.IsPortless():
                    throw new BmcUnsupportedException($"actor '{f.Name}' is a {f.Original.Protocol.Name()} flow; the BMC encoding covers TCP, UDP and ICMP (use 'natverify check')");
                case CtnetlinkInsert c when c.Original.Protocol.IsPortless():
                    throw new BmcUnsupportedException($"actor '{c.Name}' inserts a {c.Original.Protocol.Name()} entry; the BMC encoding covers TCP, UDP and ICMP (use 'natverify check')");
                case FlowActor { Retries: > 0 } r:
                    throw new BmcUnsupportedException($"actor '{r.Name}' retransmits its SYN (retries: {r.Retries}); the BMC encoding has no retransmissions (use 'natverify check')");
                case FlowActor or CtnetlinkInsert:
                    break;
                case ConnectionClose c:
                    throw new BmcUnsupportedException($"actor '{c.Name}' closes a TCP connection; the BMC encoding has no TCP state (TIME_WAIT/CLOSE) (use 'natverify check')");
                case CtnetlinkDelete d:
                    throw new BmcUnsupportedException($"actor '{d.Name}' is a conntrack -D; the BMC encoding has no deletes (use 'natverify check')");
                case EntryTimeout t:
                    throw new BmcUnsupportedException($"actor '{t.Name}' is an entry timeout; the BMC encoding has no timeouts or garbage collection (use 'natverify check')");
                default:
                    throw new BmcUnsupportedException($"actor '{actor.Name}' is outside the BMC subset");
            }
        }

        // Without conntrack (no rule called nf_ct_netns_get) every flow passes untracked in one step; that is encoded.
        if (!Model.Semantics.RuleSupport.OnlyIptablesNatMatters(scenario.Ruleset, requireConntrack: false))
        {
            throw new BmcUnsupportedException("the ruleset has rules outside the iptables nat table that change what a first packet does (DROP, REJECT, a DROP policy, notrack, marks read later, nft nat chains); the BMC encoding covers the iptables nat table only (use 'natverify check')");
        }

        foreach (var chain in scenario.Ruleset.Chains.Values)
        {
            foreach (var rule in chain.Rules)
            {
                var problem = rule.Target switch
                {
                    SnatTarget { Range: var r } when r.MapIps && r.MaxAddr.Value - (ulong)r.MinAddr.Value >= MaxAddressRange =>
                        $"maps to more than {MaxAddressRange} addresses",
                    DnatTarget { Range: var r } when r.MapIps && r.MaxAddr.Value - (ulong)r.MinAddr.Value >= MaxAddressRange =>
                        $"maps to more than {MaxAddressRange} addresses",
                    SnatTarget or DnatTarget or MasqueradeTarget or RedirectTarget or AcceptTarget or ReturnTarget or JumpTarget => null,
                    _ => "has a target the encoding does not know",
                };
                // The encoding reads only the typed match fields: a rule with further terms (multiport, addrtype,
                // conntrack...) or statements would be encoded as matching more than it does.
                problem ??= !rule.Match.IsSimple ? "uses a match the encoding does not know (multiport, iprange, addrtype, conntrack, ...)"
                    : rule.Statements.Count > 0 ? "runs statements (MARK, CONNMARK, LOG, ...)"
                    : null;
                if (problem is not null)
                {
                    throw new BmcUnsupportedException($"rule '{rule.Text}' (line {rule.Line}) {problem}; outside the BMC subset (use 'natverify check')");
                }
            }
        }
    }

    /// <summary>
    /// The number of steps after which no actor can step: every flow takes 4 (2 without a nat table, 1 without
    /// conntrack), every insert 1.
    /// </summary>
    public static int FullDepth(ScenarioModel scenario) => scenario.Actors.Sum(a => a switch
    {
        FlowActor => !Model.Semantics.ConntrackUse.Active(scenario.Ruleset) ? 1 : scenario.Ruleset.NatTablePresent ? 4 : 2,
        _ => 1,
    });
}
