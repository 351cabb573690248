using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Policy;

/// <summary>
/// Composes the tables along a first packet's way through the hooks (<c>nf_hook_slow</c> runs a hook's base chains in
/// priority order; a packet goes PREROUTING → FORWARD → POSTROUTING, PREROUTING → INPUT, or OUTPUT → POSTROUTING), so
/// a nat chain is walked only with packets that can still reach it tracked: a DROP/REJECT (or a base chain's DROP
/// policy) in a raw, mangle or filter chain before it kills the packet (its unconfirmed entry is never inserted), and
/// a notrack (<c>-j CT --notrack</c>, nft <c>notrack</c>) makes <c>nf_conntrack_in</c> skip it, so <c>nf_nat_inet_fn</c>
/// finds no conntrack entry and does no NAT.
/// <para>
/// The result is an under-approximation of the dead packets (so the reach sets stay over-approximations):
/// a packet counts as killed only when an exact match certainly reaches an exact DROP/REJECT/notrack; anything a
/// may-match rule could accept first is kept. Chains before the DNAT see the original header, so their kills are not
/// applied after the DNAT where a DNAT could rewrite a packet onto that header (the DNAT targets' images are taken
/// out); where marks are set anywhere in the ruleset, kills that depend on a mark are not applied. A packet reaches
/// POSTROUTING either forwarded or locally generated: it is dead there only when dead on both ways, and the locally
/// generated way is narrowed to local source addresses only when the context lists the interfaces.
/// </para>
/// </summary>
internal sealed class HookComposition(Reachability reach, NatRuleset ruleset, IReadOnlyList<Interval>? local)
{
    private const int MaxDepth = 64;
    private readonly Dictionary<BaseChain, Region> _kills = [];
    private readonly List<(RulePlace? Rule, BaseChain Chain, Region Killed)> _killers = [];
    private Region? _images;
    private bool? _marksChange;

    /// <summary>The rules (or DROP policies) that killed packets, with the packets they killed.</summary>
    public IReadOnlyList<(RulePlace? Rule, BaseChain Chain, Region Killed)> Killers => _killers;

    /// <summary>The packets that cannot reach the nat base chain <paramref name="nat"/> tracked; empty when none are known.</summary>
    public Region Dead(BaseChain nat)
    {
        var others = ruleset.BaseChains.Where(b => b.Type != ChainType.Nat).ToList();
        if (others.Count == 0)
        {
            return Region.Empty;
        }

        Region Kills(NetfilterHook hook, Func<int, bool> priority)
        {
            var r = Region.Empty;
            foreach (var bc in others.Where(b => b.Hook == hook && priority(b.Priority)))
            {
                r = r.Union(KillsOf(bc));
            }

            return r;
        }

        Region AfterDnat(Region beforeDnat) => beforeDnat.IsEmpty ? beforeDnat : beforeDnat.Minus(Images());

        Region dead;
        switch (nat.Hook)
        {
            case NetfilterHook.PreRouting or NetfilterHook.Output:
                dead = Kills(nat.Hook, p => p < nat.Priority);
                break;
            case NetfilterHook.Input:
                dead = Kills(NetfilterHook.PreRouting, p => p > HookPriority.NatDst)
                    .Union(AfterDnat(Kills(NetfilterHook.PreRouting, p => p <= HookPriority.NatDst)))
                    .Union(Kills(NetfilterHook.Input, p => p < nat.Priority));
                break;
            case NetfilterHook.PostRouting:
            {
                var post = Kills(NetfilterHook.PostRouting, p => p < nat.Priority);
                var forwarded = Kills(NetfilterHook.PreRouting, p => p > HookPriority.NatDst)
                    .Union(AfterDnat(Kills(NetfilterHook.PreRouting, p => p <= HookPriority.NatDst)))
                    .Union(Kills(NetfilterHook.Forward, _ => true))
                    .Union(post);
                var generated = Kills(NetfilterHook.Output, p => p > HookPriority.NatDst)
                    .Union(AfterDnat(Kills(NetfilterHook.Output, p => p <= HookPriority.NatDst)))
                    .Union(post);
                if (local is not null)
                {
                    // A locally generated packet leaves from one of the host's addresses (the socket's bound or
                    // inet_select_addr's choice); the context lists them.
                    generated = generated.Union(Region.Full.Minus(new Region(local.Select(i => Cube.Full with { Src = i }).ToList())));
                }

                if (local is null && !forwarded.IsEmpty)
                {
                    reach.Assumptions.Add("no interfaces given: packets the host itself sends may carry any source address, so packets dropped or untracked on the forward way still reach nat POSTROUTING as locally generated ones");
                }

                dead = forwarded.IsEmpty || generated.IsEmpty ? Region.Empty : forwarded.Intersect(generated);
                break;
            }

            default:
                dead = Region.Empty;
                break;
        }

        return dead.IsEmpty ? dead : dead.Coalesce();
    }

    private Region KillsOf(BaseChain bc)
    {
        if (_kills.TryGetValue(bc, out var cached))
        {
            return cached;
        }

        var killed = Region.Empty;
        if (ruleset.Table(bc.Table) is { } table && table.Chains.ContainsKey(bc.Chain))
        {
            var (k, back) = Walk(table, bc, bc.Chain, Region.Full, 0);
            killed = k;
            if (bc.PolicyDrop && !back.IsEmpty)
            {
                // The base chain's policy (nf_hook_slow: NF_DROP) takes every packet that falls off its end.
                _killers.Add((null, bc, back));
                killed = killed.Union(back);
            }
        }

        if (MarksChange())
        {
            killed = new Region(killed.Cubes.Where(c => c.Mark == Ternary.Any && c.CtMark == Ternary.Any).ToList());
        }

        _kills[bc] = killed;
        return killed;
    }

    /// <summary>
    /// Walks a chain with packets that certainly reach it; returns the packets certainly dropped or untracked in it
    /// (and the chains it calls) and the packets certainly given back to the caller (RETURN or the chain's end).
    /// </summary>
    private (Region Killed, Region Back) Walk(RuleTable table, BaseChain bc, string chainName, Region input, int depth)
    {
        if (depth > MaxDepth || !table.Chains.TryGetValue(chainName, out var chain))
        {
            // Unknown: nothing is certain, so nothing is killed and nothing certainly comes back.
            return (Region.Empty, Region.Empty);
        }

        var sure = input;
        var killed = Region.Empty;
        var returned = Region.Empty;
        foreach (var rule in chain.Rules)
        {
            if (sure.IsEmpty)
            {
                break;
            }

            var m = reach.MatchOf(rule);
            var hit = sure.Intersect(m.Region);
            if (hit.IsEmpty)
            {
                continue;
            }

            var certain = m.Exact ? hit : Region.Empty;
            if (rule.Statements.Any(s => s is NotrackStatement))
            {
                // Untracked: dead for NAT whatever the rule's verdict. A may-match notrack leaves the packet either
                // untracked or going on, so it stays "certain" for a later kill.
                Record(rule, bc, certain);
                killed = killed.Union(certain);
                sure = sure.Minus(certain);
                continue;
            }

            if (rule.Statements.Any(s => s is MarkStatement or UnmodelledStatement))
            {
                sure = sure.Minus(hit).Union(reach.Statements(rule, certain));
                hit = reach.Statements(rule, hit);
                certain = reach.Statements(rule, certain);
            }

            switch (rule.Target)
            {
                case DropTarget or RejectTarget:
                    Record(rule, bc, certain);
                    killed = killed.Union(certain);
                    sure = sure.Minus(certain);
                    break;
                case ContinueTarget:
                    break;
                case ReturnTarget:
                    returned = returned.Union(certain);
                    sure = sure.Minus(hit);
                    break;
                case JumpTarget j:
                {
                    var (k, back) = Walk(table, bc, j.Chain, certain, depth + 1);
                    killed = killed.Union(k);
                    if (j.IsGoto)
                    {
                        returned = returned.Union(back);
                        sure = sure.Minus(hit);
                    }
                    else
                    {
                        sure = sure.Minus(hit).Union(back);
                    }

                    break;
                }

                default:
                    // ACCEPT, a NAT target, or something unmodelled: the packet may leave the chain alive.
                    sure = sure.Minus(hit);
                    break;
            }
        }

        return (killed, returned.Union(sure));
    }

    private void Record(NatRule rule, BaseChain bc, Region killed)
    {
        if (!killed.IsEmpty)
        {
            _killers.Add((reach.PlaceOfRule(rule), bc, killed));
        }
    }

    /// <summary>Every header a DNAT-type rule (DNAT, REDIRECT, NETMAP) in any chain can write: its destination range and ports.</summary>
    private Region Images()
    {
        if (_images is { } done)
        {
            return done;
        }

        var cubes = new List<Cube>();
        foreach (var rule in ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules))
        {
            switch (rule.Target)
            {
                case DnatTarget d:
                    cubes.Add(Cube.Full with
                    {
                        Dst = (d.Range.Flags & NatRangeFlags.MapIps) != 0 ? new Interval(d.Range.MinAddr.Value, d.Range.MaxAddr.Value) : Cube.Full.Dst,
                        DPort = d.Range.ProtoSpecified ? new Interval((uint)d.Range.MinProto, (uint)d.Range.MaxProto) : Cube.Full.DPort,
                    });
                    break;
                case RedirectTarget r:
                    cubes.Add(Cube.Full with { DPort = r.Ports is { } p ? new Interval((uint)p.Min, (uint)p.Max) : Cube.Full.DPort });
                    break;
                case NetmapTarget or UnmodelledTarget:
                    cubes.Add(Cube.Full);
                    break;
            }
        }

        _images = new Region(cubes).Coalesce();
        return _images;
    }

    private bool MarksChange() => _marksChange ??= ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules)
        .Any(r => r.Target is UnmodelledTarget || r.Statements.Any(s => s is MarkStatement or UnmodelledStatement));
}
