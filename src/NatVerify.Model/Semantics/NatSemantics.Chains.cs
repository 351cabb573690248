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
    /// </summary>
    internal ChainVerdict EvaluateChains(NatHook hook, ConntrackTuple packet, FlowActor flow)
    {
        if (!Scenario.Ruleset.Chains.TryGetValue(hook.ChainName(), out var chain))
        {
            return default;
        }

        var stack = new Stack<(NatChain Chain, int Next)>();
        var index = 0;
        var guard = 0;
        while (true)
        {
            if (++guard > 100_000)
            {
                throw new InvalidOperationException("nat chain traversal does not terminate (a jump loop)");
            }

            if (index >= chain.Rules.Count)
            {
                if (stack.Count == 0)
                {
                    return default;
                }

                (chain, index) = stack.Pop();
                continue;
            }

            var rule = chain.Rules[index++];
            if (!Matches(rule.Match, packet, flow, hook))
            {
                continue;
            }

            switch (rule.Target)
            {
                case SnatTarget s:
                    return new ChainVerdict(rule, s.Range, false);
                case DnatTarget d:
                    return new ChainVerdict(rule, d.Range, false);
                case MasqueradeTarget m:
                    return AddressTarget(rule, flow.OutInterface, m.Ports, m.Flags);
                case RedirectTarget r when hook == NatHook.Output:
                    return new ChainVerdict(rule, RangeFor(Loopback, r.Ports, r.Flags), false);
                case RedirectTarget r:
                    return AddressTarget(rule, flow.InInterface, r.Ports, r.Flags);
                case AcceptTarget:
                    return default;
                case ReturnTarget:
                    if (stack.Count == 0)
                    {
                        return default;
                    }

                    (chain, index) = stack.Pop();
                    break;
                case JumpTarget j:
                    if (!j.IsGoto)
                    {
                        stack.Push((chain, index));
                    }

                    chain = Scenario.Ruleset.Chains[j.Chain];
                    index = 0;
                    break;
            }
        }
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

    private bool Matches(RuleMatch m, ConntrackTuple packet, FlowActor flow, NatHook hook)
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
