namespace NatVerify.Model.Nat;

/// <summary>A non-terminal action of a rule, executed in order when the rule matches, before its target.</summary>
public abstract record RuleStatement;

/// <summary>The mark registers a statement can read or write.</summary>
public enum MarkRegister
{
    /// <summary>A constant zero source (for plain set statements).</summary>
    None,

    /// <summary><c>skb-&gt;mark</c>.</summary>
    Mark,

    /// <summary><c>ct-&gt;mark</c>.</summary>
    CtMark,
}

/// <summary>
/// <c>Destination = (Destination &amp; Keep) ^ (Source &amp; Take) ^ Xor</c>. This one form is exactly what the kernel
/// computes for <c>-j MARK --set-xmark v/m</c> (<c>mark_tg</c>: <c>(mark &amp; ~m) ^ v</c>), <c>--set-mark</c>,
/// <c>--and-mark</c>, <c>--or-mark</c> (which iptables-save prints as <c>--set-xmark</c>), <c>-j CONNMARK
/// --set-xmark/--save-mark/--restore-mark</c> with masks (<c>connmark_tg_shift</c>), and nft <c>meta mark set</c> /
/// <c>ct mark set</c> with a bitwise expression (<c>nft_bitwise</c>: <c>(src &amp; mask) ^ xor</c>).
/// </summary>
public sealed record MarkStatement(MarkRegister Destination, MarkRegister Source, uint Keep, uint Take, uint Xor) : RuleStatement
{
    /// <summary>Applies the statement to a register pair.</summary>
    public (uint Mark, uint CtMark) Apply(uint mark, uint ctMark)
    {
        var source = Source switch { MarkRegister.Mark => mark, MarkRegister.CtMark => ctMark, _ => 0u };
        return Destination == MarkRegister.CtMark
            ? (mark, (ctMark & Keep) ^ (source & Take) ^ Xor)
            : ((mark & Keep) ^ (source & Take) ^ Xor, ctMark);
    }
}

/// <summary>
/// <c>-j CT --notrack</c>, <c>-j NOTRACK</c> (raw table) and nft <c>notrack</c>: attach the untracked template
/// (<c>nf_ct_set(skb, NULL, IP_CT_UNTRACKED)</c>) so <c>nf_conntrack_in</c> skips the packet: no entry, no NAT.
/// </summary>
public sealed record NotrackStatement : RuleStatement;

/// <summary>
/// A statement with no effect on conntrack tuples or NAT: <c>LOG</c>, <c>NFLOG</c>, nft <c>counter</c>, <c>log</c>,
/// <c>limit</c>-free accounting, <c>TCPMSS</c> (<c>tcpmss_tg4</c> only rewrites a SYN's MSS option), <c>CT --helper</c>
/// for helpers that ignore packets until the connection is established. Kept so reports can show the whole rule.
/// </summary>
public sealed record NoOpStatement(string Name) : RuleStatement
{
    /// <summary>
    /// True when loading the rule calls <c>nf_ct_netns_get</c> although the statement changes nothing on a first packet
    /// (<c>-j CT --helper</c>: <c>xt_ct_tg_check</c> registers conntrack for every template but the notrack one).
    /// </summary>
    public bool TakesConntrack { get; init; }
}

/// <summary>
/// A statement the model does not interpret, kept only when the user asked to over-approximate
/// (<c>--assume-unmodelled may-do-anything</c>); every result says so.
/// </summary>
public sealed record UnmodelledStatement(string Construct, RuleLocation Location) : RuleStatement;
