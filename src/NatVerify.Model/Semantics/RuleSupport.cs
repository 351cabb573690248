using NatVerify.Model.Nat;

namespace NatVerify.Model.Semantics;

/// <summary>One construct of a ruleset that the semantics does not interpret yet, with where it came from.</summary>
/// <param name="Construct">What it is, as the user wrote it.</param>
/// <param name="Why">Why it matters to conntrack/NAT.</param>
/// <param name="Rule">The rule (null for a base chain policy).</param>
/// <param name="Location">Where it came from, when known.</param>
public sealed record UninterpretedConstruct(string Construct, string Why, NatRule? Rule, RuleLocation? Location);

/// <summary>
/// What the semantics interprets today: the iptables nat table at the NAT core's hooks, with every stateless match
/// term on a flow's first packet (<see cref="NatSemantics"/> <c>EvaluateChains</c>). Rules of other tables whose
/// targets only accept, return, jump or log change nothing conntrack or NAT does and are interpreted as such. A
/// construct that does change conntrack or NAT but is not modelled yet (a filter DROP before confirm, raw NOTRACK,
/// mangle MARK, CONNMARK, a DROP policy, counters, conntrack fields of the original tuple after a manip) is listed
/// here, so the spec reader refuses it with its location instead of predicting as if it were absent.
/// </summary>
public static class RuleSupport
{
    /// <summary>Every construct of <paramref name="ruleset"/> the semantics would otherwise ignore, in input order.</summary>
    public static IReadOnlyList<UninterpretedConstruct> Uninterpreted(NatRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var found = new List<UninterpretedConstruct>();
        var (markRead, ctMarkRead) = RegistersRead(ruleset);
        foreach (var table in ruleset.Tables)
        {
            var nat = table.Key == NatRuleset.IptablesNatKey;
            foreach (var chain in table.Chains.Values)
            {
                foreach (var rule in chain.Rules)
                {
                    foreach (var statement in rule.Statements)
                    {
                        // A mark write nothing reads (CONNMARK --save-mark with no connmark match anywhere) changes
                        // no conntrack or NAT decision, so it is interpreted as the no-op it is for the model.
                        var unread = statement is MarkStatement m
                            && !(m.Destination == MarkRegister.Mark ? markRead : ctMarkRead);
                        if (statement is not NoOpStatement && !unread)
                        {
                            found.Add(new(StatementName(statement), "it changes marks or conntrack for later rules and hooks", rule, rule.Location));
                        }
                    }

                    switch (rule.Target)
                    {
                        case DropTarget or RejectTarget:
                            found.Add(new(rule.Target is DropTarget ? "-j DROP" : "-j REJECT",
                                "a first packet dropped before confirm leaves no entry (nf_ct_destroy of the unconfirmed entry)", rule, rule.Location));
                            break;
                        case NetmapTarget:
                            found.Add(new("-j NETMAP", "it maps addresses by prefix", rule, rule.Location));
                            break;
                        case UnmodelledTarget u:
                            found.Add(new(u.Construct, "it may do anything", rule, rule.Location));
                            break;
                        case SnatTarget or DnatTarget or MasqueradeTarget or RedirectTarget when !nat:
                            found.Add(new("a NAT statement outside the iptables nat table", "it runs in another nat chain", rule, rule.Location));
                            break;
                    }

                    if (!nat)
                    {
                        continue;
                    }

                    foreach (var term in rule.Match.Terms)
                    {
                        if (TermProblem(term) is { } problem)
                        {
                            found.Add(new(problem, "its value on a first packet is not modelled yet", rule, rule.Location));
                        }
                    }
                }
            }
        }

        foreach (var chain in ruleset.BaseChains)
        {
            if (chain.PolicyDrop)
            {
                found.Add(new($"policy DROP of {chain.Table} {chain.Chain}", "packets reaching the end of the chain are dropped before confirm", null, chain.Location));
            }

            if (chain.Type == ChainType.Nat && chain.Table != NatRuleset.IptablesNatKey)
            {
                found.Add(new($"nat chain {chain.Chain} of {chain.Table}", "nat chains of several tables run in priority order in nf_nat_inet_fn", null, chain.Location));
            }
        }

        return found;
    }

    private static (bool Mark, bool CtMark) RegistersRead(NatRuleset ruleset)
    {
        bool mark = false, ctMark = false;
        foreach (var rule in ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules))
        {
            foreach (var term in rule.Match.AllTerms())
            {
                var fields = term switch
                {
                    ValueTerm v => [v.Field],
                    MaskedTerm m => [m.Field],
                    ConcatTerm c => c.Fields,
                    SelectorTerm s => s.Fields,
                    _ => (IReadOnlyList<PacketField>)[],
                };
                mark |= fields.Contains(PacketField.Mark);
                ctMark |= fields.Contains(PacketField.CtMark);
            }

            foreach (var statement in rule.Statements.OfType<MarkStatement>())
            {
                mark |= statement.Source == MarkRegister.Mark && statement.Take != 0;
                ctMark |= statement.Source == MarkRegister.CtMark && statement.Take != 0;
            }
        }

        return (mark, ctMark);
    }

    private static string StatementName(RuleStatement statement) => statement switch
    {
        MarkStatement { Destination: MarkRegister.CtMark } => "-j CONNMARK",
        MarkStatement { Source: MarkRegister.CtMark } => "-j CONNMARK --restore-mark",
        MarkStatement => "-j MARK",
        NotrackStatement => "notrack (-j CT --notrack / -j NOTRACK)",
        UnmodelledStatement u => u.Construct,
        _ => statement.GetType().Name,
    };

    private static string? TermProblem(MatchTerm term) => term switch
    {
        SelectorTerm s => s.Kind == SelectorKind.Counter ? "-m statistic --mode nth" : $"{s.Kind} selector",
        MaskedTerm { Field: PacketField.CtState } m when (m.Mask & (uint)(CtStateBits.Snat | CtStateBits.Dnat)) != 0 => "--ctstate SNAT/DNAT",
        ValueTerm v when IsOriginalTupleField(v.Field) => $"conntrack {v.Field} match",
        ConcatTerm c when c.Fields.Any(IsOriginalTupleField) => "conntrack tuple match",
        MaskedTerm m when IsOriginalTupleField(m.Field) => $"conntrack {m.Field} match",
        AddressTypeTerm a when (a.Types & ~(AddressTypes.Local | AddressTypes.Unicast | AddressTypes.Multicast)) != 0 => "-m addrtype with types other than LOCAL, UNICAST, MULTICAST",
        _ => null,
    };

    private static bool IsOriginalTupleField(PacketField f) => f is PacketField.CtOrigSrc or PacketField.CtOrigDst or PacketField.CtReplSrc
        or PacketField.CtReplDst or PacketField.CtOrigSrcPort or PacketField.CtOrigDstPort or PacketField.CtReplSrcPort or PacketField.CtReplDstPort;
}
