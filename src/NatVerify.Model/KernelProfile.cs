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
/// <param name="UsedTupleHarder">
/// 6.5+: <c>nf_nat_used_tuple_harder</c>: in the last <c>NF_NAT_HARDER_THRESH</c> (32) attempts of a TCP SYN's port
/// search, a candidate held by the reply node of an SNATed entry in TIME_WAIT/CLOSE is freed by killing that entry
/// (when the new SYN's sequence number has advanced past the old connection's).
/// </param>
public sealed record KernelProfile(
    string Name, bool CappedPortSearch, bool SameOriginSkip, bool ClashHarder, MergeRule Merge,
    bool UsedTupleNew, bool DstRangeStartsAtMin, bool UdpAllowClash, bool UsedTupleHarder = false)
{
    /// <summary>The default: matches 6.12 through 6.18 (this project's test kernels).</summary>
    public static KernelProfile Linux612 { get; } = new("linux-6.12", true, true, true, MergeRule.MatchOrReverse, true, true, true, UsedTupleHarder: true) { GreAllowClash = true };

    /// <summary>5.15: capped search, NAT_CLASH entries, pre-reverse-clash merge rule.</summary>
    public static KernelProfile Linux515 { get; } = new("linux-5.15", true, true, true, MergeRule.NoNatDoneOrMatch, false, false, true);

    /// <summary>4.19: full-range search, no NAT_CLASH entries, no same-origin skip.</summary>
    public static KernelProfile Linux419 { get; } = new("linux-4.19", false, false, false, MergeRule.NoNatDoneOrMatch, false, false, true);

    /// <summary>Every shipped profile.</summary>
    public static IReadOnlyList<KernelProfile> All { get; } = [Linux612, Linux515, Linux419];

    /// <summary>
    /// Finds a profile by name (<c>linux-6.12</c>) or by kernel version (<c>6.18</c>, <c>linux-6.18</c>, <c>5.10.2</c>):
    /// a version maps to the newest profile not newer than it (6.18 → linux-6.12, 5.4 → linux-4.19). Versions between
    /// two profiles get the older one, so a behaviour added in between (e.g. 6.5's <c>nf_nat_used_tuple_harder</c>
    /// for 6.5–6.11) is missing; versions older than 4.19 are refused (null).
    /// </summary>
    public static KernelProfile? Find(string name)
    {
        var exact = All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return exact;
        }

        var text = name.StartsWith("linux-", StringComparison.OrdinalIgnoreCase) ? name[6..] : name;
        if (!TryVersion(text, out var wanted))
        {
            return null;
        }

        KernelProfile? best = null;
        var bestVersion = (0, 0);
        foreach (var p in All)
        {
            if (TryVersion(p.Name[6..], out var v) && v.CompareTo(wanted) <= 0 && v.CompareTo(bestVersion) > 0)
            {
                (best, bestVersion) = (p, v);
            }
        }

        return best;
    }

    private static bool TryVersion(string text, out (int Major, int Minor) version)
    {
        version = default;
        var parts = text.Split('.');
        if (parts.Length is < 2 or > 3 || parts.Any(x => x.Length is 0 or > 4 || !x.All(char.IsAsciiDigit)))
        {
            return false;
        }

        version = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>
    /// 6.5+: GRE's <c>allow_clash</c> (<c>nf_conntrack_l4proto_gre</c>, "netfilter: conntrack: allow insertion clash of
    /// gre protocol", net-next May 2023). The generic tracker's <c>allow_clash</c> came only with upstream commit
    /// 8a49fc8d8a3e (2026, backported to some stable trees): no profile has it, so other portless protocols never merge.
    /// </summary>
    public bool GreAllowClash { get; init; }

    /// <summary>Whether confirm may resolve a clash for the protocol (<c>l4proto->allow_clash</c>).</summary>
    public bool AllowClash(Addressing.L4Protocol protocol) =>
        (protocol == Addressing.L4Protocol.Udp && UdpAllowClash) || (protocol == Addressing.L4Protocol.Gre && GreAllowClash);
}
