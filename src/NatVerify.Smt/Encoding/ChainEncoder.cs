using Microsoft.Z3;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Smt.Bmc;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// <c>ipt_do_table</c> on the nat chains of one hook for a symbolic packet: the walk of
/// <c>NatSemantics.EvaluateChains</c> (jumps, gotos, returns; the first SNAT/DNAT target that matches decides),
/// unfolded into disjoint path conditions. A null verdict means no rule decided: the null binding follows.
/// </summary>
internal sealed class ChainEncoder(Terms z, ScenarioModel scenario)
{
    private readonly NatRuleset ruleset = scenario.Ruleset;

    /// <summary>Most paths one walk may unfold into before the spec is refused.</summary>
    public const int MaxPaths = 4096;

    private const int MaxDepth = 64;

    public List<(BoolExpr Condition, RuleVerdict? Verdict)> Evaluate(NatHook hook, SymTuple packet, FlowActor flow)
    {
        var results = new List<(BoolExpr, RuleVerdict?)>();
        if (!ruleset.Chains.TryGetValue(hook.ChainName(), out var chain))
        {
            results.Add((z.True, null));
            return results;
        }

        Walk(chain, 0, [], z.True, hook, packet, flow, results, 0);
        return results;
    }

    private void Walk(
        NatChain chain, int index, IReadOnlyList<(NatChain Chain, int Next)> stack, BoolExpr path, NatHook hook, SymTuple packet,
        FlowActor flow, List<(BoolExpr, RuleVerdict?)> results, int depth)
    {
        if (z.IsFalse(path))
        {
            return;
        }

        if (results.Count > MaxPaths)
        {
            throw new BmcUnsupportedException($"the nat chains at {hook.ChainName()} unfold into more than {MaxPaths} paths; simplify the ruleset");
        }

        if (depth > 4 * MaxDepth)
        {
            throw new BmcUnsupportedException($"the nat chains at {hook.ChainName()} jump, go to or return more than {4 * MaxDepth} times on one path (a loop?)");
        }

        while (true)
        {
            if (index >= chain.Rules.Count)
            {
                if (stack.Count == 0)
                {
                    results.Add((path, null));
                    return;
                }

                (chain, index) = stack[^1];
                stack = stack.Take(stack.Count - 1).ToList();
                continue;
            }

            var rule = chain.Rules[index++];
            var match = Matches(rule.Match, packet, flow, hook);
            if (z.IsFalse(match))
            {
                continue;
            }

            var taken = z.And(path, match);
            switch (rule.Target)
            {
                case SnatTarget s:
                    results.Add((taken, new RuleVerdict(rule, s.Range)));
                    break;
                case DnatTarget d:
                    results.Add((taken, new RuleVerdict(rule, d.Range)));
                    break;
                case MasqueradeTarget m:
                    Masquerade(rule, m, taken, packet, flow, results);
                    break;
                case RedirectTarget r:
                    // The model's own choice (NatSemantics.RedirectAddress): loopback at LOCAL_OUT, else the in
                    // interface's first address; none is NF_DROP, which the slot encoding cannot represent.
                    var to = NatSemantics.RedirectAddress(ToNetfilter(hook), NatSemantics.InterfaceAddressesOf(scenario, flow.InInterface))
                        ?? throw TargetDrop(rule);
                    results.Add((taken, new RuleVerdict(rule, NatSemantics.RangeFor(to, r.Ports, r.Flags))));
                    break;
                case AcceptTarget:
                    results.Add((taken, null));
                    break;
                case ReturnTarget:
                    if (stack.Count == 0)
                    {
                        results.Add((taken, null));
                    }
                    else
                    {
                        var (c, n) = stack[^1];
                        Walk(c, n, stack.Take(stack.Count - 1).ToList(), taken, hook, packet, flow, results, depth + 1);
                    }

                    break;
                case JumpTarget j:
                    if (stack.Count >= MaxDepth)
                    {
                        throw new BmcUnsupportedException($"nat chain jumps nest deeper than {MaxDepth} at {hook.ChainName()} (a jump loop?)");
                    }

                    var pushed = j.IsGoto ? stack : stack.Append((chain, index)).ToList();
                    Walk(ruleset.Chains[j.Chain], 0, pushed, taken, hook, packet, flow, results, depth + 1);
                    break;
                default:
                    throw new BmcUnsupportedException($"target of '{rule.Text}' is outside the BMC subset");
            }

            // The walk continues past this rule only when it does not match.
            path = z.And(path, z.Not(match));
            if (z.IsFalse(path))
            {
                return;
            }
        }
    }

    /// <summary><c>NatSemantics.Matches</c> for a symbolic TCP/UDP packet; marks and interfaces are the flow's constants.</summary>
    private BoolExpr Matches(RuleMatch m, SymTuple packet, FlowActor flow, NatHook hook)
    {
        var parts = new List<BoolExpr>();
        if (m.Protocol is { } p)
        {
            parts.Add(Negate(z.Eq(packet.Proto, z.Bv((ulong)p.Value, 8)), p.Negated));
        }

        if (m.Source is { } s)
        {
            parts.Add(Negate(Contains(s.Value, packet.SrcIp), s.Negated));
        }

        if (m.Destination is { } d)
        {
            parts.Add(Negate(Contains(d.Value, packet.DstIp), d.Negated));
        }

        // An ICMP packet has no ports: a port match fails, negated or not (NatSemantics.MatchesDeterministic).
        if (m.SourcePort is { } sp)
        {
            parts.Add(packet.IsIcmp ? z.False : Negate(z.InRange(packet.SrcPort, (ulong)sp.Value.Min, (ulong)sp.Value.Max), sp.Negated));
        }

        if (m.DestinationPort is { } dp)
        {
            parts.Add(packet.IsIcmp ? z.False : Negate(z.InRange(packet.DstPort, (ulong)dp.Value.Min, (ulong)dp.Value.Max), dp.Negated));
        }

        if (m.RandomProbability is { } random)
        {
            // -m statistic --mode random: a fair choice for the solver unless the probability is 0 or 1, as
            // NatSemantics branches on it.
            var never = (random.Value <= 0.0) != random.Negated;
            var always = (random.Value >= 1.0) != random.Negated;
            parts.Add(never ? z.False : always ? z.True : z.BoolVar("statistic-random"));
        }

        if (m.Mark is { } mark)
        {
            parts.Add(z.Bool(mark.Value.Matches(flow.Mark) != mark.Negated));
        }

        // The in-interface exists at PRE_ROUTING/LOCAL_IN, the out-interface at LOCAL_OUT/POST_ROUTING.
        var inIface = hook is NatHook.PreRouting or NatHook.Input ? flow.InInterface : null;
        var outIface = hook is NatHook.Output or NatHook.PostRouting ? flow.OutInterface : null;
        if (m.InInterface is { } i)
        {
            parts.Add(z.Bool(InterfaceMatches(i.Value, inIface) != i.Negated));
        }

        if (m.OutInterface is { } o)
        {
            parts.Add(z.Bool(InterfaceMatches(o.Value, outIface) != o.Negated));
        }

        return z.And(parts);
    }

    /// <summary>
    /// <c>nf_nat_masquerade_ipv4</c>: the model's case table (<see cref="NatSemantics.MasqueradeChoice"/>) over the
    /// packet's destination, each case a condition on the symbolic destination; a case with several addresses (no
    /// primary subnet holds the destination) is a free choice among them, as the explicit engine branches on them.
    /// </summary>
    private void Masquerade(NatRule rule, MasqueradeTarget m, BoolExpr taken, SymTuple packet, FlowActor flow, List<(BoolExpr, RuleVerdict?)> results)
    {
        var pick = z.BvVar("masquerade-address", 8);
        foreach (var c in NatSemantics.MasqueradeChoice(NatSemantics.InterfaceAddressesOf(scenario, flow.OutInterface)))
        {
            var when = z.And(
                taken,
                c.Inside is { } inside ? Contains(inside, packet.DstIp) : z.True,
                z.And(c.Outside.Select(o => z.Not(Contains(o, packet.DstIp)))));
            if (z.IsFalse(when))
            {
                continue;
            }

            if (c.Addresses.Count == 0)
            {
                throw TargetDrop(rule);
            }

            for (var k = 0; k < c.Addresses.Count; k++)
            {
                // Disjoint alternatives: the k-th address when the choice is k, the last one for every other value.
                var alternative = k < c.Addresses.Count - 1 ? z.Eq(pick, z.Bv((ulong)k, 8))
                    : z.And(Enumerable.Range(0, k).Select(j => z.Not(z.Eq(pick, z.Bv((ulong)j, 8)))));
                results.Add((z.And(when, alternative), new RuleVerdict(rule, NatSemantics.RangeFor(c.Addresses[k], m.Ports, m.Flags))));
            }
        }
    }

    private static BmcUnsupportedException TargetDrop(NatRule rule) =>
        new($"rule '{rule.Text}' (line {rule.Line}) drops a packet whose interface has no address (NF_DROP); the BMC encoding has no target drop (use 'natverify check')");

    private static NetfilterHook ToNetfilter(NatHook hook) => hook switch
    {
        NatHook.PreRouting => NetfilterHook.PreRouting,
        NatHook.Input => NetfilterHook.Input,
        NatHook.Output => NetfilterHook.Output,
        _ => NetfilterHook.PostRouting,
    };

    private BoolExpr Negate(BoolExpr b, bool negated) => negated ? z.Not(b) : b;

    private BoolExpr Contains(Cidr cidr, BitVecExpr address)
    {
        if (cidr.PrefixLength == 0)
        {
            return z.True;
        }

        if (address is BitVecNum n)
        {
            return z.Bool(cidr.Contains(new Ipv4((uint)n.UInt64)));
        }

        var mask = uint.MaxValue << (32 - cidr.PrefixLength);
        return z.Eq(z.BvAnd(address, z.Bv(mask, 32)), z.Bv(cidr.Network.Value & mask, 32));
    }

    private static bool InterfaceMatches(string pattern, string? iface) =>
        iface is not null && (pattern.EndsWith('+')
            ? iface.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : iface == pattern);
}
