using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>Rule evaluation of the nat table (<c>ipt_do_table</c> for the nat hooks).</summary>
public sealed partial class NatSemantics
{
    private static readonly Ipv4 Loopback = new(0x7f000001);

    /// <summary>The result of traversing the nat chains at one hook.</summary>
    /// <param name="Rule">The rule whose target initialised the manip; null when the null binding follows.</param>
    /// <param name="Range">The range the target passes to <c>nf_nat_setup_info</c>.</param>
    /// <param name="Drop">True when the target returned NF_DROP (MASQUERADE/REDIRECT without an address).</param>
    internal readonly record struct ChainVerdict(NatRule? Rule, NatRange? Range, bool Drop);

    /// <summary>
    /// Walks the built-in chain of <paramref name="hook"/> with jumps, gotos and returns; the first
    /// SNAT/DNAT/MASQUERADE/REDIRECT target that matches decides. ACCEPT, RETURN from the built-in chain and
    /// the chain's end all leave the manip uninitialised, which is when <c>nf_nat_inet_fn</c> calls the null binding.
    /// A random match (<c>-m statistic --mode random</c>) branches: every distinct verdict is returned.
    /// </summary>
    internal List<ChainVerdict> EvaluateChains(NatHook hook, ConntrackTuple packet, FlowActor flow)
    {
        var verdicts = new List<ChainVerdict>();
        if (!Scenario.Ruleset.Chains.TryGetValue(hook.ChainName(), out var chain))
        {
            verdicts.Add(default);
            return verdicts;
        }

        var budget = 100_000;
        Walk(chain, 0, null, hook, packet, flow, verdicts, ref budget);
        return verdicts;
    }

    /// <summary>The return stack of a chain traversal (immutable, so branches can share it).</summary>
    private sealed record Frame(NatChain Chain, int Next, Frame? Parent);

    private void Walk(NatChain chain, int index, Frame? stack, NatHook hook, ConntrackTuple packet, FlowActor flow, List<ChainVerdict> verdicts, ref int budget)
    {
        while (true)
        {
            if (--budget < 0)
            {
                throw new InvalidOperationException("nat chain traversal does not terminate (a jump loop)");
            }

            if (index >= chain.Rules.Count)
            {
                if (stack is null)
                {
                    Add(verdicts, default);
                    return;
                }

                (chain, index, stack) = (stack.Chain, stack.Next, stack.Parent);
                continue;
            }

            var rule = chain.Rules[index++];
            var match = Matches(rule.Match, packet, flow, hook);
            if (match == Tri.No)
            {
                continue;
            }

            if (match == Tri.Maybe)
            {
                // The random match may fail: explore the rest of the chain from here as a separate branch.
                Walk(chain, index, stack, hook, packet, flow, verdicts, ref budget);
            }

            switch (rule.Target)
            {
                case SnatTarget s:
                    Add(verdicts, new ChainVerdict(rule, s.Range, false));
                    return;
                case DnatTarget d:
                    Add(verdicts, new ChainVerdict(rule, d.Range, false));
                    return;
                case MasqueradeTarget m:
                    Add(verdicts, AddressTarget(rule, flow.OutInterface, m.Ports, m.Flags));
                    return;
                case RedirectTarget r when hook == NatHook.Output:
                    Add(verdicts, new ChainVerdict(rule, RangeFor(Loopback, r.Ports, r.Flags), false));
                    return;
                case RedirectTarget r:
                    Add(verdicts, AddressTarget(rule, flow.InInterface, r.Ports, r.Flags));
                    return;
                case AcceptTarget:
                    Add(verdicts, default);
                    return;
                case ReturnTarget:
                    if (stack is null)
                    {
                        Add(verdicts, default);
                        return;
                    }

                    (chain, index, stack) = (stack.Chain, stack.Next, stack.Parent);
                    break;
                case JumpTarget j:
                    if (!j.IsGoto)
                    {
                        stack = new Frame(chain, index, stack);
                    }

                    chain = Scenario.Ruleset.Chains[j.Chain];
                    index = 0;
                    break;
            }
        }
    }

    private static void Add(List<ChainVerdict> verdicts, ChainVerdict verdict)
    {
        if (!verdicts.Contains(verdict))
        {
            verdicts.Add(verdict);
        }
    }

    private enum Tri
    {
        No,
        Yes,
        Maybe,
    }

    private ChainVerdict AddressTarget(NatRule rule, string? iface, PortRange? ports, NatRangeFlags flags)
    {
        if (iface is null || !Scenario.InterfaceAddresses.TryGetValue(iface, out var address))
        {
            return new ChainVerdict(rule, null, true);
        }

        return new ChainVerdict(rule, RangeFor(address, ports, flags), false);
    }

    private static NatRange RangeFor(Ipv4 address, PortRange? ports, NatRangeFlags flags)
    {
        flags |= NatRangeFlags.MapIps;
        if (ports is { } p)
        {
            flags |= NatRangeFlags.ProtoSpecified;
            return new NatRange(flags, address, address, p.Min, p.Max);
        }

        return new NatRange(flags, address, address, 0, 0);
    }

    private Tri Matches(RuleMatch m, ConntrackTuple packet, FlowActor flow, NatHook hook)
    {
        return !MatchesDeterministic(m, packet, flow, hook) ? Tri.No
            : m.RandomProbability is not { } r ? Tri.Yes
            : (r.Value <= 0.0) != r.Negated ? Tri.No
            : (r.Value >= 1.0) != r.Negated ? Tri.Yes
            : Tri.Maybe;
    }

    private bool MatchesDeterministic(RuleMatch m, ConntrackTuple packet, FlowActor flow, NatHook hook)
    {
        if (m.Protocol is { } p && (packet.Protocol == p.Value) == p.Negated)
        {
            return false;
        }

        if (m.Source is { } s && s.Value.Contains(packet.SrcIp) == s.Negated)
        {
            return false;
        }

        if (m.Destination is { } d && d.Value.Contains(packet.DstIp) == d.Negated)
        {
            return false;
        }

        if (m.SourcePort is { } sp && (packet.Protocol == L4Protocol.Icmp
            || Ports.InRange(packet.SrcPort, sp.Value.Min, sp.Value.Max) == sp.Negated))
        {
            return false;
        }

        if (m.DestinationPort is { } dp && (packet.Protocol == L4Protocol.Icmp
            || Ports.InRange(packet.DstPort, dp.Value.Min, dp.Value.Max) == dp.Negated))
        {
            return false;
        }

        if (m.Mark is { } mark && mark.Value.Matches(flow.Mark) == mark.Negated)
        {
            return false;
        }

        // The in-interface exists at PRE_ROUTING/LOCAL_IN, the out-interface at LOCAL_OUT/POST_ROUTING.
        var inIface = hook is NatHook.PreRouting or NatHook.Input ? flow.InInterface : null;
        var outIface = hook is NatHook.Output or NatHook.PostRouting ? flow.OutInterface : null;
        if (m.InInterface is { } i && InterfaceMatches(i.Value, inIface) == i.Negated)
        {
            return false;
        }

        return m.OutInterface is not { } o || InterfaceMatches(o.Value, outIface) != o.Negated;
    }

    private static bool InterfaceMatches(string pattern, string? iface) =>
        iface is not null && (pattern.EndsWith('+')
            ? iface.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : iface == pattern);
}
