namespace NatVerify.Model.Scenario;

/// <summary>How an actor ended in a terminal state of the exploration.</summary>
public enum OutcomeKind
{
    /// <summary>Flow confirmed with its tuple unchanged.</summary>
    Kept,

    /// <summary>Flow confirmed after a null binding rewrote its source port (or ICMP id).</summary>
    Rewritten,

    /// <summary>Flow confirmed after a matching NAT rule (SNAT, DNAT, MASQUERADE, REDIRECT) set its mapping.</summary>
    Nat,

    /// <summary>Flow's first packet dropped at confirm (<c>insert_failed</c>).</summary>
    Dropped,

    /// <summary>Flow's packet attached to an identical winner at confirm (<c>clash_resolve</c>).</summary>
    Merged,

    /// <summary>Flow inserted as a reply-only NAT_CLASH entry (<c>clash_resolve</c>).</summary>
    ClashEntry,

    /// <summary>Flow's packet matched an existing confirmed entry at conntrack lookup: no new entry.</summary>
    Joined,

    /// <summary>The actor never finished: its ordering constraints could not be met.</summary>
    Blocked,

    /// <summary>ctnetlink insert succeeded.</summary>
    Inserted,

    /// <summary>ctnetlink insert refused with -EEXIST.</summary>
    Exists,

    /// <summary>ctnetlink delete removed at least one entry.</summary>
    Deleted,

    /// <summary>ctnetlink delete found nothing (-ENOENT).</summary>
    NotFound,

    /// <summary>A timeout ran out for its target entry.</summary>
    Expired,

    /// <summary>A timeout or close had nothing to act on (its target never got a linked entry of its own).</summary>
    Skipped,

    /// <summary>
    /// Flow's first packet was dropped at confirm, and a retransmission connected; the detail is how it connected
    /// (<c>kept</c>, <c>nat</c>, <c>rewritten</c>, ...). <see cref="Dropped"/> then means dropped for good.
    /// </summary>
    Retried,

    /// <summary>Flow's packet was invalid for the entry it hit (<c>tcp_packet</c>) and went on untracked.</summary>
    Invalid,

    /// <summary>A close event closed its target's connection (TIME_WAIT or CLOSE).</summary>
    Closed,

    /// <summary>
    /// Flow went through without conntrack: a notrack rule before <c>nf_conntrack_in</c> (detail: the rule, e.g.
    /// <c>raw/OUTPUT#1</c>) or conntrack not active in the namespace (detail <c>no-conntrack</c>); no entry, no NAT.
    /// </summary>
    Untracked,

    /// <summary>
    /// Flow's first packet was dropped by a rule or a DROP policy before confirm (detail: the rule, e.g.
    /// <c>filter/FORWARD#2</c>, or <c>filter/FORWARD#policy</c>); its unconfirmed entry was freed.
    /// </summary>
    Filtered,
}

/// <summary>Names of outcomes as specs and reports spell them.</summary>
public static class OutcomeNames
{
    /// <summary>Kebab-case name, e.g. <c>clash-entry</c>.</summary>
    public static string CliName(this OutcomeKind kind) => kind switch
    {
        OutcomeKind.ClashEntry => "clash-entry",
        OutcomeKind.NotFound => "not-found",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses a kebab-case outcome name.</summary>
    public static bool TryParse(string text, out OutcomeKind kind)
    {
        foreach (var k in Enum.GetValues<OutcomeKind>())
        {
            if (string.Equals(k.CliName(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
