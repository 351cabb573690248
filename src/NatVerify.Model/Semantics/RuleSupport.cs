using NatVerify.Model.Nat;

namespace NatVerify.Model.Semantics;

/// <summary>One construct of a ruleset that the semantics does not interpret yet, with where it came from.</summary>
/// <param name="Construct">What it is, as the user wrote it.</param>
/// <param name="Why">Why it matters to conntrack/NAT.</param>
/// <param name="Rule">The rule (null for a base chain policy).</param>
/// <param name="Location">Where it came from, when known.</param>
public sealed record UninterpretedConstruct(string Construct, string Why, NatRule? Rule, RuleLocation? Location);

/// <summary>
/// What the semantics interprets: every base chain of every table at every hook a flow's first packet meets, in
/// priority order around conntrack, the NAT core and confirm (<see cref="NatSemantics"/> <c>Pipeline</c>), with every
/// statement (MARK, CONNMARK, notrack, no-ops) and target (NAT, NETMAP, ACCEPT, DROP, REJECT, RETURN, jumps, policies).
/// What is left is listed here, so the spec reader refuses it with its location instead of predicting as if it were
/// absent: over-approximated constructs, counter and hash selectors, <c>--ctstate SNAT/DNAT</c>, the conntrack tuple
/// matches, and address types other than LOCAL, UNICAST and MULTICAST.
/// </summary>
public static class RuleSupport
{
    /// <summary>Every construct of <paramref name="ruleset"/> the semantics would otherwise ignore, in input order.</summary>
    public static IReadOnlyList<UninterpretedConstruct> Uninterpreted(NatRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var found = new List<UninterpretedConstruct>();
        foreach (var table in ruleset.Tables)
        {
            foreach (var chain in table.Chains.Values)
            {
                foreach (var rule in chain.Rules)
                {
                    foreach (var statement in rule.Statements.OfType<UnmodelledStatement>())
                    {
                        found.Add(new(statement.Construct, "it may do anything", rule, rule.Location));
                    }

                    if (rule.Target is UnmodelledTarget u)
                    {
                        found.Add(new(u.Construct, "it may do anything", rule, rule.Location));
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

        return found;
    }

    /// <summary>
    /// True when nothing but the iptables nat table decides what happens to a first packet and conntrack is active:
    /// no other table has a rule that drops, marks, notracks or NATs, no base chain has a DROP policy, no nat chain
    /// lies outside the iptables nat table. The subset the Z3 encoding and the generators cover.
    /// </summary>
    /// <param name="ruleset">The ruleset.</param>
    /// <param name="requireConntrack">False to accept a ruleset in which no rule activates conntrack (every flow is
    /// then untracked, and only the other conditions matter).</param>
    public static bool OnlyIptablesNatMatters(NatRuleset ruleset, bool requireConntrack = true)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        if (requireConntrack && !ConntrackUse.Active(ruleset))
        {
            return false;
        }

        if (ruleset.BaseChains.Any(b => b.PolicyDrop || (b.Type == ChainType.Nat && b.Table != NatRuleset.IptablesNatKey)))
        {
            return false;
        }

        var (markRead, ctMarkRead) = RegistersRead(ruleset);
        foreach (var rule in ruleset.Tables.Where(t => t.Key != NatRuleset.IptablesNatKey).SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules))
        {
            if (rule.Target is not (AcceptTarget or ReturnTarget or JumpTarget or ContinueTarget))
            {
                return false;
            }

            foreach (var statement in rule.Statements)
            {
                var harmless = statement is NoOpStatement
                    || (statement is MarkStatement m && !(m.Destination == MarkRegister.Mark ? markRead : ctMarkRead));
                if (!harmless)
                {
                    return false;
                }
            }
        }

        return true;
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

    private static string? TermProblem(MatchTerm term) => term switch
    {
        SelectorTerm s => s.Kind == SelectorKind.Counter ? "-m statistic --mode nth" : $"{s.Kind} selector",
        ValueTerm v when IsOriginalTupleField(v.Field) => $"conntrack {v.Field} match",
        ConcatTerm c when c.Fields.Any(IsOriginalTupleField) => "conntrack tuple match",
        MaskedTerm m when IsOriginalTupleField(m.Field) => $"conntrack {m.Field} match",
        AddressTypeTerm a when (a.Types & ~(AddressTypes.Local | AddressTypes.Unicast | AddressTypes.Multicast)) != 0 => "-m addrtype with types other than LOCAL, UNICAST, MULTICAST",
        _ => null,
    };

    private static bool IsOriginalTupleField(PacketField f) => f is PacketField.CtOrigSrc or PacketField.CtOrigDst or PacketField.CtReplSrc
        or PacketField.CtReplDst or PacketField.CtOrigSrcPort or PacketField.CtOrigDstPort or PacketField.CtReplSrcPort or PacketField.CtReplDstPort;
}
