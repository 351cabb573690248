using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Policy;

/// <summary>Where a rule sits: its table, chain and index, for reports and for the covering-rule search.</summary>
internal sealed record RulePlace(RuleTable Table, NatChain Chain, int Index, NatRule Rule);

/// <summary>A rule's match as a region, and whether that region is exact or an over-approximation.</summary>
/// <param name="Region">Every packet the rule can match (an over-approximation when <paramref name="Exact"/> is false).</param>
/// <param name="Exact">True when every packet of the region matches for sure (so the rule takes them all).</param>
/// <param name="Random">True when the only inexact terms are random draws (<c>statistic</c>, <c>numgen random</c>).</param>
internal sealed record MatchRegion(Region Region, bool Exact, bool Random);

/// <summary>
/// Header-space reachability: for every rule, the set of first packets that reach it, computed by walking each base
/// chain with the set of all packets and, rule by rule, taking away what earlier terminal rules take
/// (<c>ipt_do_table</c> / <c>nft_do_chain</c> order: jumps push, RETURN or the chain's end pops, goto replaces).
/// Matches the representation cannot hold exactly (conntrack state bits beyond NEW, hashes, unmodelled constructs)
/// and random draws are "may match": they let packets reach the rule and also pass it.
/// </summary>
internal sealed class Reachability
{
    private const int MaxDepth = 64;
    private readonly NatRuleset _ruleset;
    private readonly List<Interval>? _local;
    private readonly Dictionary<NatRule, MatchRegion> _matches = new(ReferenceEqualityComparer.Instance);
    private readonly PolicyOptions _options;
    private readonly DateTime _deadline;
    private readonly HookComposition _composition;

    public Reachability(NatRuleset ruleset, HostContext context, PolicyOptions options)
    {
        _ruleset = ruleset;
        _options = options;
        _deadline = DateTime.UtcNow + options.MaxTime;
        var patterns = new List<string>();
        foreach (var t in Tables)
        {
            foreach (var c in t.Chains.Values)
            {
                foreach (var r in c.Rules)
                {
                    foreach (var term in r.Match.AllTerms())
                    {
                        if (term is InterfaceTerm it)
                        {
                            patterns.AddRange(it.Names);
                        }
                    }
                }
            }
        }

        patterns.AddRange(context.Interfaces.Select(i => i.Name));
        Atoms = new InterfaceAtoms(patterns);
        if (context.Interfaces.Count > 0)
        {
            _local = [new Interval(0x7f000000, 0x7fffffff)];
            _local.AddRange(context.Interfaces.SelectMany(i => i.Addresses).Select(a => Interval.Single(a.Address.Value)));
        }

        _composition = new HookComposition(this, ruleset, _local);
    }

    /// <summary>The local addresses (loopback and the interfaces'), or null when the context gives no interfaces.</summary>
    public IReadOnlyList<Interval>? LocalAddresses => _local;

    /// <summary>The place of a rule, once <see cref="Run"/> has listed them.</summary>
    public RulePlace? PlaceOfRule(NatRule rule) => Places.FirstOrDefault(p => ReferenceEquals(p.Rule, rule));

    /// <summary>Applies a rule's statements (marks) to the packets it matched.</summary>
    public Region Statements(NatRule rule, Region hit) => ApplyStatements(rule, hit);

    public InterfaceAtoms Atoms { get; }

    public IReadOnlyList<RuleTable> Tables => _ruleset.Tables;

    /// <summary>The first packets that reach each rule (union over every path into its chain).</summary>
    public Dictionary<NatRule, Region> Reach { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Every rule with its place, in table and chain order.</summary>
    public List<RulePlace> Places { get; } = [];

    /// <summary>Packets entering each chain (table key, chain name).</summary>
    public Dictionary<(string, string), Region> Entry { get; } = [];

    /// <summary>The jump/goto rules into each chain.</summary>
    public Dictionary<(string, string), List<NatRule>> Callers { get; } = [];

    /// <summary>What the analysis over-approximated, for the report.</summary>
    public SortedSet<string> Assumptions { get; } = new(StringComparer.Ordinal);

    public Reachability Run()
    {
        foreach (var t in Tables)
        {
            foreach (var c in t.Chains.Values)
            {
                for (var i = 0; i < c.Rules.Count; i++)
                {
                    Places.Add(new RulePlace(t, c, i, c.Rules[i]));
                    Reach[c.Rules[i]] = Region.Empty;
                }
            }
        }

        foreach (var bc in _ruleset.BaseChains)
        {
            var table = _ruleset.Table(bc.Table);
            if (table is null || !table.Chains.ContainsKey(bc.Chain))
            {
                continue;
            }

            // A nat chain sees only the packets no earlier chain of any table on their way dropped or untracked
            // (HookComposition); other chains are walked with every packet, which only over-approximates.
            var entry = Region.Full;
            if (bc.Type == ChainType.Nat && _composition.Dead(bc) is { IsEmpty: false } dead)
            {
                entry = entry.Minus(dead).Coalesce();
                Removed[(bc.Table, bc.Chain)] = dead;
            }

            Walk(table, bc.Chain, entry, 0, null);
        }

        return this;
    }

    /// <summary>
    /// For a nat base chain whose entry composition removed packets: the packets removed (dropped or untracked before
    /// the chain on every path), by table key and chain.
    /// </summary>
    public Dictionary<(string, string), Region> Removed { get; } = [];

    /// <summary>The rules that drop or untrack packets before nat chains (DROP, REJECT, notrack) and the base chains whose DROP policy does.</summary>
    public IReadOnlyList<(RulePlace? Rule, BaseChain Chain, Region Killed)> Killers => _composition.Killers;

    public MatchRegion MatchOf(NatRule rule)
    {
        if (!_matches.TryGetValue(rule, out var m))
        {
            m = Translate(rule.Match);
            _matches[rule] = m;
        }

        return m;
    }

    /// <summary>
    /// Walks a chain with <paramref name="input"/> (<c>ipt_do_table</c> / <c>nft_do_chain</c> order) and returns the packets
    /// that leave it by RETURN or its end. The one walker of both passes: with <paramref name="exits"/> null it is the
    /// reachability pass and records <see cref="Entry"/>, <see cref="Reach"/> and <see cref="Callers"/>; with a list it
    /// is a probe that records nothing and collects the packets a verdict other than SNAT/MASQUERADE takes
    /// (<see cref="NotSourceNatted"/>).
    /// </summary>
    private Region Walk(RuleTable table, string chainName, Region input, int depth, List<Region>? exits)
    {
        if (depth > MaxDepth)
        {
            throw new PolicyBoundException($"chain nesting deeper than {MaxDepth} at {table.Key} {chainName}");
        }

        if (DateTime.UtcNow > _deadline)
        {
            throw new PolicyBoundException($"the reachability analysis took longer than {_options.MaxTime.TotalSeconds:0} s");
        }

        if (_options.Cancellation.IsCancellationRequested)
        {
            throw new PolicyBoundException("a whole-run bound stopped the reachability analysis");
        }

        var key = (table.Key, chainName);
        if (exits is null)
        {
            // Appended in place: a chain such as KUBE-MARK-MASQ is entered thousands of times.
            if (!Entry.TryGetValue(key, out var e))
            {
                Entry[key] = e = Region.Empty;
            }

            e.Cubes.AddRange(input.Cubes);
        }

        if (!table.Chains.TryGetValue(chainName, out var chain))
        {
            return input;
        }

        var current = input;
        var returned = Region.Empty;
        var coalescedAt = current.Cubes.Count;
        foreach (var rule in chain.Rules)
        {
            if (current.IsEmpty)
            {
                break;
            }

            if (current.Cubes.Count > (2 * coalescedAt) + 64)
            {
                current = current.Coalesce();
                coalescedAt = current.Cubes.Count;
            }

            var m = MatchOf(rule);
            var hit = current.Intersect(m.Region);
            if (hit.IsEmpty)
            {
                continue;
            }

            if (hit.Cubes.Count > 16)
            {
                hit = hit.Coalesce();
            }

            if (exits is null)
            {
                Reach[rule].Cubes.AddRange(hit.Cubes);
            }

            if (hit.Cubes.Count + current.Cubes.Count > _options.MaxCubes)
            {
                throw new PolicyBoundException($"more than {_options.MaxCubes} header-space cubes at {rule.Location?.ToString() ?? rule.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            var after = ApplyStatements(rule, hit);
            var rest = m.Exact ? current.Minus(m.Region) : current;
            switch (rule.Target)
            {
                case ContinueTarget:
                    current = m.Exact ? rest.Union(after) : Merge(current, after, rule);
                    break;
                case UnmodelledTarget:
                    Assumptions.Add($"{rule.Location}: unmodelled target may do anything; packets are assumed to continue");
                    current = Merge(current, after, rule);
                    break;
                case ReturnTarget:
                    returned = returned.Union(after);
                    current = rest;
                    break;
                case JumpTarget j:
                    if (exits is null)
                    {
                        Callers.TryAdd((table.Key, j.Chain), []);
                        Callers[(table.Key, j.Chain)].Add(rule);
                    }

                    var back = Walk(table, j.Chain, after, depth + 1, exits);
                    if (!j.IsGoto && ReferenceEquals(back, hit))
                    {
                        // The called chain gave every packet back unchanged: the jump changed nothing, and keeping
                        // the caller's set as it was avoids splitting it into the matched part and the rest.
                        break;
                    }

                    if (j.IsGoto)
                    {
                        returned = returned.Union(back);
                        current = rest;
                    }
                    else
                    {
                        current = m.Exact ? rest.Union(back) : current.Union(back);
                    }

                    break;
                default:
                    // A verdict (ACCEPT, DROP, SNAT, DNAT...) takes the packets it matches for sure out of the chain.
                    if (exits is not null && rule.Target is not (SnatTarget or MasqueradeTarget))
                    {
                        exits.Add(after);
                    }

                    current = rest;
                    break;
            }
        }

        return returned.Union(current);
    }

    /// <summary>
    /// The packets of <paramref name="input"/> that leave the nat POSTROUTING base chains without an SNAT or
    /// MASQUERADE (so only the SRC null binding, which keeps ports when it can, sees them). Exact for exact matches;
    /// a may-match rule counts as not taking the packet.
    /// </summary>
    public Region NotSourceNatted(Region input)
    {
        var result = Region.Empty;
        foreach (var bc in _ruleset.BaseChains.Where(b => b.Type == ChainType.Nat && b.Hook == NetfilterHook.PostRouting))
        {
            var table = _ruleset.Table(bc.Table);
            if (table is null)
            {
                continue;
            }

            var exits = new List<Region>();
            var back = Walk(table, bc.Chain, input, 0, exits);
            result = result.Union(back);
            foreach (var e in exits)
            {
                result = result.Union(e);
            }
        }

        return result;
    }

    private static Region Merge(Region current, Region changed, NatRule rule) =>
        rule.Statements.Count == 0 ? current : current.Union(changed);

    private Region ApplyStatements(NatRule rule, Region hit)
    {
        if (rule.Statements.Count == 0)
        {
            return hit;
        }

        var region = hit;
        foreach (var s in rule.Statements)
        {
            switch (s)
            {
                case MarkStatement ms:
                    region = region.Map(c => ApplyMark(c, ms));
                    break;
                case UnmodelledStatement u:
                    Assumptions.Add($"{u.Location}: unmodelled statement {u.Construct} may set any mark");
                    region = region.Map(c => c with { Mark = Ternary.Any, CtMark = Ternary.Any });
                    break;
            }
        }

        return region;
    }

    /// <summary><c>dst = (dst &amp; Keep) ^ (src &amp; Take) ^ Xor</c> bit by bit on the ternary patterns (exact).</summary>
    private static Cube ApplyMark(Cube c, MarkStatement ms)
    {
        var dst = ms.Destination == MarkRegister.CtMark ? c.CtMark : c.Mark;
        var src = ms.Source switch { MarkRegister.Mark => c.Mark, MarkRegister.CtMark => c.CtMark, _ => new Ternary(0, uint.MaxValue) };
        uint value = 0, care = 0;
        for (var bit = 0; bit < 32; bit++)
        {
            var b = 1u << bit;
            var known = true;
            var v = ms.Xor & b;
            if ((ms.Keep & b) != 0)
            {
                known &= (dst.Care & b) != 0;
                v ^= dst.Value & b;
            }

            if ((ms.Take & b) != 0)
            {
                known &= (src.Care & b) != 0;
                v ^= src.Value & b;
            }

            if (known)
            {
                care |= b;
                value |= v;
            }
        }

        var t = new Ternary(value & care, care);
        return ms.Destination == MarkRegister.CtMark ? c with { CtMark = t } : c with { Mark = t };
    }

    private MatchRegion Translate(RuleMatch match)
    {
        var region = Region.Full;
        var exact = true;
        var random = true;
        foreach (var term in match.AllTerms())
        {
            var (r, kind) = TermRegion(term);
            if (kind != TermKind.Exact)
            {
                exact = false;
                random &= kind == TermKind.Random;
            }

            if (r is not null)
            {
                region = region.Intersect(r);
            }
        }

        return new MatchRegion(region, exact, !exact && random);
    }

    private enum TermKind
    {
        Exact,
        Random,
        May,
    }

    private (Region? Region, TermKind Kind) TermRegion(MatchTerm term)
    {
        switch (term)
        {
            case RandomTerm rt:
                if (rt.Probability >= 1 || rt.Probability <= 0)
                {
                    var always = (rt.Probability >= 1) != rt.Negated;
                    return (always ? null : Region.Empty, TermKind.Exact);
                }

                return (null, TermKind.Random);
            case SelectorTerm st:
                return (null, st.Kind == SelectorKind.Random ? TermKind.Random : TermKind.May);
            case UnmodelledTerm u:
                Assumptions.Add($"{u.Location}: unmodelled match {u.Construct} may match anything");
                return (null, TermKind.May);
            case InterfaceTerm it:
            {
                ulong bits = 0;
                foreach (var n in it.Names)
                {
                    bits |= Atoms.Matching(n);
                }

                if (it.Negated)
                {
                    bits = ~bits;
                }

                var cube = it.Output ? Cube.Full with { Oif = bits } : Cube.Full with { Iif = bits };
                return (bits == 0 ? Region.Empty : new Region([cube]), TermKind.Exact);
            }

            case AddressTypeTerm at:
                if (_local is null || at.LimitToInInterface || at.LimitToOutInterface || at.Types != AddressTypes.Local)
                {
                    Assumptions.Add("addrtype/fib type matches other than LOCAL without an interface limit, or without the host's addresses, are taken as may-match");
                    return (null, TermKind.May);
                }

                return (Negate(FieldRegion(at.Destination ? PacketField.DstAddr : PacketField.SrcAddr, _local)!, at.Negated), TermKind.Exact);
            case ValueTerm vt:
            {
                if (vt.Field == PacketField.CtDirection)
                {
                    var original = vt.Values.Any(v => v.Contains(0)) != vt.Negated;
                    return (original ? null : Region.Empty, TermKind.Exact);
                }

                var r = FieldRegion(vt.Field, vt.Values);
                return r is null ? (null, TermKind.May) : (Negate(r, vt.Negated), TermKind.Exact);
            }

            case MaskedTerm mt:
                return MaskedRegion(mt);
            case ConcatTerm ct:
            {
                var list = new List<Cube>();
                foreach (var element in ct.Elements)
                {
                    var region = Region.Full;
                    for (var k = 0; k < ct.Fields.Count; k++)
                    {
                        var r = FieldRegion(ct.Fields[k], [element[k]]);
                        if (r is null)
                        {
                            return (null, TermKind.May);
                        }

                        region = region.Intersect(r);
                    }

                    list.AddRange(region.Cubes);
                }

                return (Negate(new Region(list), ct.Negated), TermKind.Exact);
            }

            default:
                return (null, TermKind.May);
        }
    }

    private (Region?, TermKind) MaskedRegion(MaskedTerm mt)
    {
        if (mt.Field == PacketField.CtState)
        {
            // A first packet is NEW (nf_conntrack_in on an unconfirmed entry); the SNAT/DNAT pseudo-states depend on
            // the NAT already done, which the per-hook walk does not know.
            if ((mt.Mask & (uint)(CtStateBits.Snat | CtStateBits.Dnat)) != 0)
            {
                return (null, TermKind.May);
            }

            var state = (uint)CtStateBits.New & mt.Mask;
            var hit = mt.Values.Any(v => v.Contains(state)) != mt.Negated;
            return (hit ? null : Region.Empty, TermKind.Exact);
        }

        if (mt.Field is not (PacketField.Mark or PacketField.CtMark))
        {
            return (null, TermKind.May);
        }

        var cubes = new List<Cube>();
        foreach (var v in mt.Values)
        {
            if (v.Max - v.Min > 255)
            {
                return (null, TermKind.May);
            }

            for (var x = v.Min; x <= v.Max; x++)
            {
                if ((x & ~mt.Mask) == 0)
                {
                    var t = new Ternary(x, mt.Mask);
                    cubes.Add(mt.Field == PacketField.Mark ? Cube.Full with { Mark = t } : Cube.Full with { CtMark = t });
                }

                if (x == uint.MaxValue)
                {
                    break;
                }
            }
        }

        return (Negate(new Region(cubes), mt.Negated), TermKind.Exact);
    }

    private static Region Negate(Region r, bool negated) => negated ? Region.Full.Minus(r) : r;

    /// <summary>The packets whose field lies in one of the intervals, or null when the field is not tracked.</summary>
    private static Region? FieldRegion(PacketField field, IReadOnlyList<Interval> values)
    {
        Func<Interval, Cube>? make = field switch
        {
            PacketField.L4Proto => i => Cube.Full with { Proto = i },
            PacketField.SrcAddr => i => Cube.Full with { Src = i },
            PacketField.DstAddr => i => Cube.Full with { Dst = i },
            PacketField.SrcPort => i => Cube.Full with { SPort = Clip(i) },
            PacketField.DstPort => i => Cube.Full with { DPort = Clip(i) },
            _ => null,
        };
        if (make is not null)
        {
            return new Region(values.Where(v => field is not (PacketField.SrcPort or PacketField.DstPort) || v.Min <= 65535).Select(make).ToList());
        }

        if (field is PacketField.Mark or PacketField.CtMark)
        {
            var cubes = values.SelectMany(Ternary.FromInterval)
                .Select(t => field == PacketField.Mark ? Cube.Full with { Mark = t } : Cube.Full with { CtMark = t }).ToList();
            return new Region(cubes);
        }

        return null;
    }

    private static Interval Clip(Interval i) => new(i.Min, Math.Min(i.Max, 65535));

    /// <summary>The protocols a cube allows that the analysis names.</summary>
    public static L4Protocol? PickProtocol(Interval proto)
    {
        foreach (var p in new[] { L4Protocol.Tcp, L4Protocol.Udp })
        {
            if (proto.Contains((uint)p))
            {
                return p;
            }
        }

        return null;
    }
}
