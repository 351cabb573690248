namespace NatVerify.Model.Steps;

/// <summary>How a step may change the set of linked tuple nodes of its own (stepping) entry.</summary>
public enum SelfLink
{
    /// <summary>The step links none of its entry's nodes.</summary>
    None,

    /// <summary>The step may link both nodes of its entry, but only when no linked node equals either tuple.</summary>
    BothWhenFree,

    /// <summary>The step links both nodes of its entry whenever the lookup of its original tuple misses, unchecked.</summary>
    BothOnLookupMiss,
}

/// <summary>Which other entries a step may unlink (through <c>nf_ct_delete</c>).</summary>
public enum UnlinkSelection
{
    /// <summary>None.</summary>
    None,

    /// <summary>
    /// Linked entries its lookup met and killed: expired ones (<c>nf_ct_gc_expired</c> from the RCU lookup) and a
    /// TIME_WAIT/CLOSE TCP entry that a SYN reopens (<c>tcp_packet</c> -> <c>nf_ct_kill</c>).
    /// </summary>
    MetByLookup,

    /// <summary>Expired entries met, and one linked entry a probe evicted (<c>nf_nat_used_tuple_harder</c>).</summary>
    ExpiredMetOrEvicted,

    /// <summary>Any set of linked entries (those a <c>conntrack -D</c> filter matches).</summary>
    AnyLinked,

    /// <summary>Exactly one linked, expired entry (<c>gc_worker</c>).</summary>
    OneExpired,
}

/// <summary>Which entries' reply tuples a step may rewrite.</summary>
public enum ReplyRewrite
{
    /// <summary>No reply tuple changes.</summary>
    None,

    /// <summary>The stepping entry's reply, which is unconfirmed (private, unlinked) when the step runs.</summary>
    OwnUnconfirmed,

    /// <summary>The reply of any entry, confirmed ones included, without re-hashing it.</summary>
    AnyEntryInPlace,
}

/// <summary>
/// A step's effect on the confirmed table: what it links, what it unlinks (and how <c>nf_ct_delete</c> unlinks),
/// which reply tuples it rewrites; everything else (original tuples, other entries' replies, NAT_CLASH bits) is left
/// unchanged. The explicit engine's steps conform to <see cref="TableEffects.Of"/> under the real kernel (a test checks every
/// transition of the shipped specs against it) and the induction proof encodes the table step from it, so both read
/// one description of the kernel.
/// </summary>
/// <param name="Id">The induction obligation's name for the step.</param>
/// <param name="KernelFunction">The kernel call chain.</param>
/// <param name="Links">What the step may link of its own entry.</param>
/// <param name="Unlinks">Which other entries it may unlink.</param>
/// <param name="UnlinkLeavesReplyNode">True when an unlink removes only the ORIGINAL node (a broken <c>nf_ct_delete</c>).</param>
/// <param name="Rewrites">Which reply tuples it may rewrite.</param>
public sealed record TableEffect(string Id, string KernelFunction, SelfLink Links, UnlinkSelection Unlinks, bool UnlinkLeavesReplyNode, ReplyRewrite Rewrites);

/// <summary>The table effects of the steps that are not confirm or <c>conntrack -I</c> (those have their own encodings).</summary>
public static class TableEffects
{
    /// <summary>
    /// The step kinds the induction proof checks, in order. <c>timeout-or-close</c> is described too (the explicit
    /// engine's timeouts and TCP closes conform to it) but is not an obligation: it changes no node at all.
    /// </summary>
    public static IReadOnlyList<string> Steps { get; } = ["conntrack-in", "nat-setup", "ctnetlink-delete", "gc"];

    /// <summary>The effect of a step kind under a kernel (mutant).</summary>
    public static TableEffect Of(string step, KernelMutant mutant)
    {
        var leavesReply = mutant == KernelMutant.CtDeleteLeavesReplyNode;
        return step switch
        {
            // resolve_normal_ct: a lookup (expired matches collected); a miss makes init_conntrack's private entry,
            // linked only later by __nf_conntrack_confirm.
            "conntrack-in" => new(
                "conntrack-in-preserves-invariant",
                "nf_conntrack_in -> resolve_normal_ct -> __nf_conntrack_find_get / init_conntrack",
                mutant == KernelMutant.InitConntrackLinksEntry ? SelfLink.BothOnLookupMiss : SelfLink.None,
                UnlinkSelection.MetByLookup,
                leavesReply,
                ReplyRewrite.None),

            // nf_nat_setup_info -> nf_conntrack_alter_reply: only on an unconfirmed entry (WARN_ON(nf_ct_is_confirmed)).
            "nat-setup" => new(
                "nat-setup-preserves-invariant",
                "nf_nat_inet_fn -> nf_nat_setup_info -> get_unique_tuple -> nf_conntrack_alter_reply",
                SelfLink.None,
                UnlinkSelection.ExpiredMetOrEvicted,
                leavesReply,
                mutant == KernelMutant.NatAltersConfirmedReply ? ReplyRewrite.AnyEntryInPlace : ReplyRewrite.OwnUnconfirmed),

            "ctnetlink-delete" => new(
                "ctnetlink-delete-preserves-invariant",
                "ctnetlink_del_conntrack -> nf_ct_delete -> nf_ct_delete_from_lists",
                SelfLink.None,
                UnlinkSelection.AnyLinked,
                leavesReply,
                ReplyRewrite.None),

            "gc" => new(
                "gc-preserves-invariant",
                "gc_worker -> nf_ct_gc_expired -> nf_ct_kill -> nf_ct_delete",
                SelfLink.None,
                UnlinkSelection.OneExpired,
                leavesReply,
                ReplyRewrite.None),

            // The timeout only sets nf_ct_is_expired; tcp_packet only moves the TCP state: neither touches a node.
            "timeout-or-close" => new(
                "timeout-and-close-preserve-invariant",
                "ct->timeout passes (nf_ct_is_expired); tcp_packet (TIME_WAIT/CLOSE)",
                SelfLink.None,
                UnlinkSelection.None,
                leavesReply,
                ReplyRewrite.None),

            _ => throw new ArgumentException($"unknown step kind '{step}'", nameof(step)),
        };
    }
}
