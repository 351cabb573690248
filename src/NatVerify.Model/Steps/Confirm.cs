namespace NatVerify.Model.Steps;

/// <summary>What confirm did with the entry.</summary>
public enum ConfirmResult
{
    /// <summary>No clash: both tuple nodes linked, CONFIRMED set.</summary>
    Inserted,

    /// <summary>Clash not resolvable: NF_DROP, <c>insert_failed</c> and <c>drop</c> counted.</summary>
    Dropped,

    /// <summary><c>__nf_ct_resolve_clash</c>: the packet joined the identical winner (<c>clash_resolve</c>).</summary>
    Merged,

    /// <summary><c>nf_ct_resolve_clash_harder</c>: reply-only NAT_CLASH entry with a 1 s timeout (<c>clash_resolve</c>).</summary>
    ClashEntry,
}

/// <summary>
/// <c>__nf_conntrack_confirm</c> under the two bucket locks: scan the original and reply buckets for an equal
/// linked node; insert, or resolve the clash with <c>nf_ct_resolve_clash</c>.
/// </summary>
/// <param name="Actor">The flow.</param>
/// <param name="Result">What happened.</param>
/// <param name="ClashWith">The actor whose linked node clashed (the winner), or -1.</param>
/// <param name="ClashOnReply">True when the clash was found for the reply tuple (scan of <c>h_r</c>).</param>
public sealed record Confirm(int Actor, ConfirmResult Result, int ClashWith, bool ClashOnReply) : NatStep(Actor)
{
    /// <inheritdoc />
    public override string KernelFunction => Result switch
    {
        ConfirmResult.Inserted => "__nf_conntrack_confirm",
        ConfirmResult.Merged => "__nf_conntrack_confirm -> nf_ct_resolve_clash -> __nf_ct_resolve_clash",
        ConfirmResult.ClashEntry => "__nf_conntrack_confirm -> nf_ct_resolve_clash -> nf_ct_resolve_clash_harder",
        _ => "__nf_conntrack_confirm -> nf_ct_resolve_clash (NF_DROP)",
    };
}
