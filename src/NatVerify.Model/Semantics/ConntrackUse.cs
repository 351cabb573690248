using NatVerify.Model.Nat;

namespace NatVerify.Model.Semantics;

/// <summary>
/// Whether a ruleset makes the kernel track connections at all. Since Linux 4.10 the conntrack hooks of a namespace
/// are registered only when a loaded rule asks for them with <c>nf_ct_netns_get</c>, which the checkentry/init
/// functions of these constructs call: the NAT targets (<c>xt_nat_checkentry</c>, <c>masquerade_tg_check</c>,
/// <c>redirect_tg4_check</c>, <c>netmap_tg_check</c>; nft <c>nft_nat_init</c>, <c>nft_masq_init</c>,
/// <c>nft_redir_init</c>), the conntrack-reading matches (<c>conntrack_mt_check</c>, <c>state_mt_check</c>,
/// <c>connmark_mt_check</c>; nft <c>nft_ct_get_init</c> for <c>ct state/mark/status/direction/original/reply</c>) and
/// the ct-mark writers (<c>connmark_tg_check</c>; nft <c>nft_ct_set_init</c>) and <c>-j CT --helper</c>
/// (<c>xt_ct_tg_check</c> for any template but notrack). A nat table or nat chain alone does not
/// (<c>nf_nat_register_fn</c> only hooks the NAT core, which does nothing for a packet without a conntrack), nor do
/// notrack (<c>xt_ct_tg_check</c> returns before <c>nf_ct_netns_get</c> for <c>XT_CT_NOTRACK</c>; nft <c>notrack</c>
/// has no init), packet-mark rules, filters or jumps.
/// </summary>
public static class ConntrackUse
{
    /// <summary>
    /// True when conntrack runs in the namespace: some loaded rule called <c>nf_ct_netns_get</c>, or the ruleset is not
    /// taken from a dump (specs without a ruleset, rulesets built in code: conntrack is assumed loaded).
    /// </summary>
    public static bool Active(NatRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        return !ruleset.ConntrackFromRules || EnablingRule(ruleset) is not null;
    }

    /// <summary>The first rule (tables and chains in input order) that enables conntrack, or null when none does.</summary>
    public static NatRule? EnablingRule(NatRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        foreach (var rule in ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules))
        {
            if (Enables(rule))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>True when loading <paramref name="rule"/> calls <c>nf_ct_netns_get</c>.</summary>
    public static bool Enables(NatRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Target is SnatTarget or DnatTarget or MasqueradeTarget or RedirectTarget or NetmapTarget)
        {
            return true;
        }

        if (rule.Statements.OfType<MarkStatement>().Any(m => m.Destination == MarkRegister.CtMark || (m.Source == MarkRegister.CtMark && m.Take != 0)))
        {
            return true;
        }

        if (rule.Statements.OfType<NoOpStatement>().Any(s => s.TakesConntrack))
        {
            return true;
        }

        return rule.Match.AllTerms().Any(ReadsConntrack);
    }

    private static bool ReadsConntrack(MatchTerm term)
    {
        static bool Ct(PacketField f) => f >= PacketField.CtMark;
        return term switch
        {
            ValueTerm v => Ct(v.Field),
            MaskedTerm m => Ct(m.Field),
            ConcatTerm c => c.Fields.Any(Ct),
            SelectorTerm s => s.Fields.Any(Ct),
            _ => false,
        };
    }
}
