using Microsoft.Z3;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.Tuples;
using NatVerify.Smt.Bmc;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// The rules every table runs on a flow's first packet (<c>nf_hook_slow</c> over the hook's base chains in priority
/// order, <c>ipt_do_table</c> / <c>nft_do_chain</c> per chain, <c>nf_nat_inet_fn</c> over the nat chains), encoded by
/// running the explicit engine's own walk (<see cref="FirstPacketRules"/>) on one concrete packet per <b>class</b>:
/// the rules read a tuple field only through intervals (prefixes, port ranges, iprange, multiport, sets), address
/// types (the interfaces' addresses, 127/8, 224/4) and MASQUERADE's subnets, so cutting each field's domain at every
/// bound the ruleset names gives classes whose packets no rule can tell apart. The marks are concrete on every path
/// (the flow's mark and constant MARK/CONNMARK operations), so they range over the finite set of values the rules can
/// produce. The result is a set of disjoint conditions on the symbolic packet and marks, one per distinct result of
/// the walk, merged into a decision diagram so that fields no rule reads cost nothing; several results of one walk
/// (random matches, MASQUERADE with several candidate addresses) become a free choice.
/// </summary>
internal sealed class RulesEncoder
{
    private static readonly ulong[] Max = [uint.MaxValue, ushort.MaxValue, uint.MaxValue, ushort.MaxValue];

    private readonly Terms _z;
    private readonly uint[][] _starts;
    private readonly Dictionary<(string, ConntrackTuple, uint, uint), IReadOnlyList<RulesResult>> _memo = [];

    public RulesEncoder(Terms z, ScenarioModel scenario, NatSemantics semantics)
    {
        _z = z;
        Rules = semantics.FirstPacket;
        _starts = ClassStarts(scenario);
    }

    /// <summary>The explicit engine's rule evaluations.</summary>
    public FirstPacketRules Rules { get; }

    /// <summary>
    /// The walk <paramref name="f"/> (named <paramref name="what"/> for memoisation: the same name must mean the same
    /// function) over the symbolic packet and marks: disjoint conditions, each with the result the walk gives on every
    /// packet and mark pair satisfying it. <paramref name="marks"/> lists every (mark, ct mark) pair the packet can carry here.
    /// </summary>
    public List<(BoolExpr Cond, RulesResult Result)> Evaluate(
        string what, SymTuple packet, BitVecExpr mark, BitVecExpr ctMark, IReadOnlyList<(uint Mark, uint CtMark)> marks,
        Func<ConntrackTuple, uint, uint, IReadOnlyList<RulesResult>> f)
    {
        var z = _z;
        var proto = packet.Proto is BitVecNum p ? (L4Protocol)p.UInt64 : throw new InvalidOperationException("the protocol of a packet is the actor's constant");
        var fields = new[] { packet.SrcIp, packet.SrcPort, packet.DstIp, packet.DstPort };
        var cands = new List<(ulong Rep, Func<BoolExpr> Pred)>[5];
        for (var d = 0; d < 4; d++)
        {
            cands[d] = Candidates(d, fields[d]);
        }

        if (mark is BitVecNum m0 && ctMark is BitVecNum c0)
        {
            marks = [((uint)m0.UInt64, (uint)c0.UInt64)];
        }

        cands[4] = marks.Count == 1 ? [(0UL, () => z.True)]
            : marks.Select((pair, k) => ((ulong)k, (Func<BoolExpr>)(() => z.And(z.Eq(mark, z.Bv(pair.Mark, 32)), z.Eq(ctMark, z.Bv(pair.CtMark, 32)))))).ToList();

        var leaves = new List<IReadOnlyList<RulesResult>>();
        var nodes = new Dictionary<string, Dictionary<int, BoolExpr>>(StringComparer.Ordinal);
        var vals = new ulong[5];

        (string Key, Dictionary<int, BoolExpr> Conds) Node(int d)
        {
            if (d == 5)
            {
                var tuple = new ConntrackTuple(proto, new Ipv4((uint)vals[0]), Port.Of((int)vals[1]), new Ipv4((uint)vals[2]), Port.Of((int)vals[3]));
                var (mk, cm) = marks[(int)vals[4]];
                if (!_memo.TryGetValue((what, tuple, mk, cm), out var result))
                {
                    result = f(tuple, mk, cm);
                    _memo[(what, tuple, mk, cm)] = result;
                }

                var id = leaves.FindIndex(l => l.SequenceEqual(result));
                if (id < 0)
                {
                    id = leaves.Count;
                    leaves.Add(result);
                }

                var leafKey = "L" + id;
                if (!nodes.TryGetValue(leafKey, out var leaf))
                {
                    leaf = new Dictionary<int, BoolExpr> { [id] = z.True };
                    nodes[leafKey] = leaf;
                }

                return (leafKey, leaf);
            }

            var children = new List<(string Key, Dictionary<int, BoolExpr> Conds)>();
            foreach (var (rep, _) in cands[d])
            {
                vals[d] = rep;
                children.Add(Node(d + 1));
            }

            if (children.All(c => c.Key == children[0].Key))
            {
                return children[0];
            }

            var groups = children.Select((c, k) => (c, k)).GroupBy(x => x.c.Key).ToList();
            var key = $"({d}:" + string.Join("|", groups.Select(g => g.Key + "@" + string.Join(",", g.Select(x => x.k)))) + ")";
            if (nodes.TryGetValue(key, out var known))
            {
                return (key, known);
            }

            var conds = new Dictionary<int, List<BoolExpr>>();
            foreach (var g in groups)
            {
                var pred = GroupPredicate(d, cands[d], g.Select(x => x.k).ToList(), fields);
                foreach (var (id, c) in g.First().c.Conds)
                {
                    if (!conds.TryGetValue(id, out var list))
                    {
                        conds[id] = list = [];
                    }

                    list.Add(z.And(pred, c));
                }
            }

            var node = conds.ToDictionary(kv => kv.Key, kv => z.Or(kv.Value));
            nodes[key] = node;
            return (key, node);
        }

        var root = Node(0).Conds;
        var merged = new List<(BoolExpr Cond, RulesResult Result)>();
        foreach (var (id, cond) in root.OrderBy(kv => kv.Key))
        {
            var results = leaves[id];
            var choice = results.Count > 1 ? z.BvVar($"{what}-choice", 8) : null;
            for (var j = 0; j < results.Count; j++)
            {
                // Disjoint alternatives: the j-th result when the choice is j, the last one for every other value.
                var alternative = choice is null ? z.True
                    : j < results.Count - 1 ? z.Eq(choice, z.Bv((ulong)j, 8))
                    : z.And(Enumerable.Range(0, j).Select(k => z.Not(z.Eq(choice, z.Bv((ulong)k, 8)))));
                var c = z.And(cond, alternative);
                var at = merged.FindIndex(x => x.Result == results[j]);
                if (at >= 0)
                {
                    merged[at] = (z.Or(merged[at].Cond, c), results[j]);
                }
                else
                {
                    merged.Add((c, results[j]));
                }
            }
        }

        return merged;
    }

    /// <summary>Every concrete packet class of <paramref name="packet"/> (one representative per class).</summary>
    public IEnumerable<ConntrackTuple> Classes(SymTuple packet)
    {
        var proto = (L4Protocol)((BitVecNum)packet.Proto).UInt64;
        var c = new[] { packet.SrcIp, packet.SrcPort, packet.DstIp, packet.DstPort }.Select((f, d) => Candidates(d, f).Select(x => x.Rep).ToList()).ToArray();
        foreach (var a in c[0])
        {
            foreach (var b in c[1])
            {
                foreach (var e in c[2])
                {
                    foreach (var g in c[3])
                    {
                        yield return new ConntrackTuple(proto, new Ipv4((uint)a), Port.Of((int)b), new Ipv4((uint)e), Port.Of((int)g));
                    }
                }
            }
        }
    }

    private List<(ulong Rep, Func<BoolExpr> Pred)> Candidates(int d, BitVecExpr field)
    {
        if (field is BitVecNum n)
        {
            return [(n.UInt64, () => _z.True)];
        }

        var starts = _starts[d];
        return starts.Select((s, k) => ((ulong)s, (Func<BoolExpr>)(() => _z.True))).ToList();
    }

    /// <summary>The condition "field d lies in one of the classes <paramref name="members"/>", adjacent classes merged.</summary>
    private BoolExpr GroupPredicate(int d, List<(ulong Rep, Func<BoolExpr> Pred)> cands, List<int> members, BitVecExpr[] fields)
    {
        if (d == 4)
        {
            return _z.Or(members.Select(k => cands[k].Pred()));
        }

        if (fields[d] is BitVecNum)
        {
            return _z.True;
        }

        var starts = _starts[d];
        var parts = new List<BoolExpr>();
        var i = 0;
        while (i < members.Count)
        {
            var j = i;
            while (j + 1 < members.Count && members[j + 1] == members[j] + 1)
            {
                j++;
            }

            var lo = (ulong)starts[members[i]];
            var hi = members[j] + 1 < starts.Length ? starts[members[j] + 1] - 1UL : Max[d];
            parts.Add(lo == 0 && hi == Max[d] ? _z.True
                : lo == 0 ? _z.Ule(fields[d], _z.Bv(hi, fields[d].SortSize))
                : hi == Max[d] ? _z.Ule(_z.Bv(lo, fields[d].SortSize), fields[d])
                : _z.InRange(fields[d], lo, hi));
            i = j + 1;
        }

        return _z.Or(parts);
    }

    private static int? Dim(PacketField f) => f switch
    {
        PacketField.SrcAddr => 0,
        PacketField.SrcPort or PacketField.IcmpId => 1,
        PacketField.DstAddr => 2,
        PacketField.DstPort => 3,
        _ => null,
    };

    /// <summary>
    /// The lower bounds of each tuple field's classes (src, sport, dst, dport): every bound a match term, an address
    /// type or a MASQUERADE subnet names. Any term reading a tuple field in another way is refused.
    /// </summary>
    internal static uint[][] ClassStarts(ScenarioModel scenario)
    {
        var sets = Enumerable.Range(0, 4).Select(_ => new SortedSet<ulong> { 0 }).ToArray();
        void Add(int d, ulong lo, ulong hi)
        {
            sets[d].Add(Math.Min(lo, Max[d]));
            if (hi < Max[d])
            {
                sets[d].Add(hi + 1);
            }
        }

        var addresses = new List<InterfaceAddress>();
        addresses.AddRange(scenario.Interfaces.SelectMany(i => i.Addresses));
        addresses.AddRange(scenario.InterfaceAddresses.Values.Select(a => new InterfaceAddress(a, 32)));
        foreach (var rule in scenario.Ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules))
        {
            foreach (var term in rule.Match.AllTerms())
            {
                switch (term)
                {
                    case ValueTerm v when Dim(v.Field) is int d:
                        foreach (var i in v.Values)
                        {
                            Add(d, i.Min, i.Max);
                        }

                        break;
                    case MaskedTerm m when Dim(m.Field) is int d:
                        var width = d is 0 or 2 ? 32 : 16;
                        // A prefix mask keeps the high bits: x & mask is monotone in x, so each value set is an interval.
                        var inverse = ~m.Mask & (uint)Max[d];
                        if (((ulong)inverse & ((ulong)inverse + 1)) != 0)
                        {
                            throw new BmcUnsupportedException($"rule '{rule.Text}' (line {rule.Line}) masks {m.Field} with 0x{m.Mask:x}, not a prefix of its {width} bits; outside the BMC subset (use 'natverify check')");
                        }

                        var block = (ulong)inverse + 1;
                        foreach (var i in m.Values)
                        {
                            var a = i.Min & m.Mask;
                            var b = i.Max & m.Mask;
                            Add(d, a, a + block - 1);
                            Add(d, a + block, b + block - 1);
                        }

                        break;
                    case ConcatTerm c:
                        foreach (var element in c.Elements)
                        {
                            for (var k = 0; k < c.Fields.Count; k++)
                            {
                                if (Dim(c.Fields[k]) is int d)
                                {
                                    Add(d, element[k].Min, element[k].Max);
                                }
                            }
                        }

                        break;
                    case AddressTypeTerm a:
                        var ad = a.Destination ? 2 : 0;
                        foreach (var x in addresses)
                        {
                            Add(ad, x.Address.Value, x.Address.Value);
                        }

                        Add(ad, 0x7f000000, 0x7fffffff);
                        Add(ad, 0xe0000000, 0xefffffff);
                        break;
                    case SelectorTerm s when s.Fields.Any(f => Dim(f) is not null):
                        throw new BmcUnsupportedException($"rule '{rule.Text}' (line {rule.Line}) hashes packet fields; outside the BMC subset (use 'natverify check')");
                }
            }

            if (rule.Target is MasqueradeTarget)
            {
                foreach (var x in addresses)
                {
                    var range = RuleMatch.ToInterval(new Cidr(x.Address, x.PrefixLength));
                    Add(2, range.Min, range.Max);
                    Add(2, x.Address.Value, x.Address.Value);
                }
            }
        }

        return sets.Select(s => s.Select(v => (uint)v).ToArray()).ToArray();
    }
}
