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
        if (!MatchesDeterministic(m, packet, flow, hook))
        {
            return Tri.No;
        }

        var result = m.RandomProbability is not { } r ? Tri.Yes
            : (r.Value <= 0.0) != r.Negated ? Tri.No
            : (r.Value >= 1.0) != r.Negated ? Tri.Yes
            : Tri.Maybe;
        foreach (var term in m.Terms)
        {
            if (result == Tri.No)
            {
                break;
            }

            var t = TermMatches(term, packet, flow, hook);
            result = t == Tri.No ? Tri.No : t == Tri.Maybe ? Tri.Maybe : result;
        }

        return result;
    }

    /// <summary>
    /// One match term on a flow's first packet at a NAT hook. Only packets of a new entry reach the nat chains
    /// (<c>nf_nat_inet_fn</c> runs them for <c>IP_CT_NEW</c> only), so the conntrack view is fixed: state NEW, direction
    /// ORIGINAL, no status bit, ct mark 0 (<c>init_conntrack</c> zeroes it); a first TCP packet is a SYN; ICMP flows
    /// are echo requests (type 8, code 0). <see cref="RuleSupport"/> lists the terms this does not cover, and the spec
    /// reader refuses them, so they never reach here.
    /// </summary>
    private Tri TermMatches(MatchTerm term, ConntrackTuple packet, FlowActor flow, NatHook hook)
    {
        bool? value = term switch
        {
            ValueTerm v => v.Values.Any(i => FieldIn(v.Field, i, packet, flow)),
            MaskedTerm m => FieldValue(m.Field, packet, flow) is { } x && m.Values.Any(i => i.Contains(x & m.Mask)),
            ConcatTerm c => c.Elements.Any(e => e.Select((interval, k) => FieldIn(c.Fields[k], interval, packet, flow)).All(b => b)),
            InterfaceTerm i => i.Names.Any(n => InterfaceMatches(n.EndsWith('*') ? n[..^1] + "+" : n, i.Output
                ? (hook is NatHook.Output or NatHook.PostRouting ? flow.OutInterface : null)
                : (hook is NatHook.PreRouting or NatHook.Input ? flow.InInterface : null))),
            AddressTypeTerm a => AddressTypeMatches(a, a.Destination ? packet.DstIp : packet.SrcIp, flow, hook),
            RandomTerm r => r.Probability <= 0.0 ? false : r.Probability >= 1.0 ? true : null,
            _ => null,
        };

        return value is not { } b ? Tri.Maybe : b != term.Negated ? Tri.Yes : Tri.No;
    }

    private bool FieldIn(PacketField field, Interval interval, ConntrackTuple packet, FlowActor flow)
    {
        var icmp = packet.Protocol == L4Protocol.Icmp;
        switch (field)
        {
            case PacketField.SrcPort:
                return !icmp && Ports.InRange(packet.SrcPort, (int)interval.Min, (int)Math.Min(interval.Max, 65535));
            case PacketField.DstPort:
                return !icmp && Ports.InRange(packet.DstPort, (int)interval.Min, (int)Math.Min(interval.Max, 65535));
            case PacketField.IcmpId:
                return icmp && Ports.InRange(packet.SrcPort, (int)interval.Min, (int)Math.Min(interval.Max, 65535));
            default:
                return FieldValue(field, packet, flow) is { } x && interval.Contains(x);
        }
    }

    private static uint? FieldValue(PacketField field, ConntrackTuple packet, FlowActor flow) => field switch
    {
        PacketField.L4Proto => (uint)packet.Protocol,
        PacketField.SrcAddr => packet.SrcIp.Value,
        PacketField.DstAddr => packet.DstIp.Value,
        PacketField.IcmpType => packet.Protocol == L4Protocol.Icmp ? 8u : null,
        PacketField.IcmpCode => packet.Protocol == L4Protocol.Icmp ? 0u : null,
        PacketField.TcpFlags => packet.Protocol == L4Protocol.Tcp ? 0x02u : null,
        PacketField.Mark => flow.Mark,
        PacketField.CtMark => 0u,
        PacketField.CtState => (uint)CtStateBits.New,
        PacketField.CtDirection => 0u,
        PacketField.CtStatus => 0u,
        _ => null,
    };

    // addrtype_mt_v1 / inet_addr_type_dev_table: LOCAL when the address is one of the host's (on the in or out
    // interface only with --limit-iface-*), loopback included; MULTICAST for 224.0.0.0/4; UNICAST otherwise.
    private bool AddressTypeMatches(AddressTypeTerm term, Ipv4 address, FlowActor flow, NatHook hook)
    {
        string? limit = term.LimitToInInterface ? (hook is NatHook.PreRouting or NatHook.Input ? flow.InInterface : null)
            : term.LimitToOutInterface ? (hook is NatHook.Output or NatHook.PostRouting ? flow.OutInterface : null)
            : null;
        var limited = term.LimitToInInterface || term.LimitToOutInterface;
        bool local;
        if (limited && limit is null)
        {
            local = false;
        }
        else if (Scenario.Interfaces.Count > 0)
        {
            local = Scenario.Interfaces.Where(i => !limited || i.Name == limit).SelectMany(i => i.Addresses).Any(a => a.Address == address)
                || (!limited && (address.Value >> 24) == 127);
        }
        else
        {
            local = Scenario.InterfaceAddresses.Where(kv => !limited || kv.Key == limit).Any(kv => kv.Value == address)
                || (!limited && (address.Value >> 24) == 127);
        }

        var type = local ? AddressTypes.Local
            : (address.Value >> 28) == 0xe ? AddressTypes.Multicast
            : AddressTypes.Unicast;
        return (term.Types & type) != 0;
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
