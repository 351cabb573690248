namespace NatVerify.Model;

/// <summary>How confirm decides that a clashing UDP entry may be merged into the winner (<c>nf_ct_can_merge</c>).</summary>
public enum MergeRule
{
    /// <summary>4.19 .. 6.11: winner not dying and (winner has no NAT_DONE bits, or <c>nf_ct_match</c>).</summary>
    NoNatDoneOrMatch,

    /// <summary>6.12+: <c>nf_ct_match</c> or <c>nf_ct_match_reverse</c>.</summary>
    MatchOrReverse,
}

/// <summary>
/// Kernel behaviour that changed across versions, as data (the history table of docs/kernel-mapping.md).
/// </summary>
/// <param name="Name">Profile name, e.g. <c>linux-6.12</c>.</param>
/// <param name="CappedPortSearch">5.15+: <c>nf_nat_l4proto_unique_tuple</c> tries at most 128/64/32/16/8 random windows; before, the whole range from a racy rover.</param>
/// <param name="SameOriginSkip">5.0+: <c>nf_conntrack_tuple_taken</c> ignores entries with the same original tuple.</param>
/// <param name="ClashHarder">5.6+: <c>nf_ct_resolve_clash_harder</c> inserts a reply-only NAT_CLASH entry.</param>
/// <param name="Merge">The merge rule of <c>__nf_ct_resolve_clash</c>.</param>
/// <param name="UsedTupleNew">6.12+: <c>nf_nat_used_tuple_new</c> lets an exact non-NAT mirror entry count as free (allow_clash protocols).</param>
/// <param name="DstRangeStartsAtMin">6.x: a DST manip with a port range and no random flag tries the range's first port first (offset 0).</param>
/// <param name="UdpAllowClash">UDP's <c>allow_clash</c> (4.6+).</param>
public sealed record KernelProfile(
    string Name, bool CappedPortSearch, bool SameOriginSkip, bool ClashHarder, MergeRule Merge,
    bool UsedTupleNew, bool DstRangeStartsAtMin, bool UdpAllowClash)
{
    /// <summary>The default: matches 6.12 through 6.18 (this project's test kernels).</summary>
    public static KernelProfile Linux612 { get; } = new("linux-6.12", true, true, true, MergeRule.MatchOrReverse, true, true, true);

    /// <summary>5.15: capped search, NAT_CLASH entries, pre-reverse-clash merge rule.</summary>
    public static KernelProfile Linux515 { get; } = new("linux-5.15", true, true, true, MergeRule.NoNatDoneOrMatch, false, false, true);

    /// <summary>4.19: full-range search, no NAT_CLASH entries, no same-origin skip.</summary>
    public static KernelProfile Linux419 { get; } = new("linux-4.19", false, false, false, MergeRule.NoNatDoneOrMatch, false, false, true);

    /// <summary>Every shipped profile.</summary>
    public static IReadOnlyList<KernelProfile> All { get; } = [Linux612, Linux515, Linux419];

    /// <summary>Finds a profile by name.</summary>
    public static KernelProfile? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether confirm may resolve a clash for the protocol (<c>l4proto->allow_clash</c>).</summary>
    public bool AllowClash(Addressing.L4Protocol protocol) => protocol == Addressing.L4Protocol.Udp && UdpAllowClash;
}
