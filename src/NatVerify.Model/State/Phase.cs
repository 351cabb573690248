namespace NatVerify.Model.State;

/// <summary>Where an actor is in its life; the last group are terminal.</summary>
public enum Phase : byte
{
    /// <summary>Not started.</summary>
    NotStarted,

    /// <summary>Flow: private unconfirmed entry exists (after <c>init_conntrack</c>).</summary>
    Created,

    /// <summary>Flow: DST manip done (DST_NAT_DONE).</summary>
    DstDone,

    /// <summary>Flow: SRC manip done (SRC_NAT_DONE), waiting for confirm.</summary>
    SrcDone,

    /// <summary>
    /// Flow: the SYN was dropped at confirm and TCP will retransmit it (<c>tcp_retransmit_timer</c>); not terminal.
    /// </summary>
    Retrying,

    /// <summary>Flow: confirmed and linked both ways.</summary>
    Confirmed,

    /// <summary>Flow: confirmed as a reply-only NAT_CLASH entry.</summary>
    ClashEntry,

    /// <summary>Flow: packet dropped at confirm; the entry was freed.</summary>
    Dropped,

    /// <summary>Flow: packet attached to the winner at confirm; own entry freed.</summary>
    Merged,

    /// <summary>Flow: the first packet found an existing confirmed entry.</summary>
    Joined,

    /// <summary>ctnetlink insert: entry linked.</summary>
    Inserted,

    /// <summary>ctnetlink insert: refused (-EEXIST).</summary>
    Exists,

    /// <summary>ctnetlink delete or timeout: ran.</summary>
    Done,

    /// <summary>ctnetlink delete: found nothing; timeout: nothing to expire.</summary>
    Nothing,

    /// <summary>
    /// Flow: <c>tcp_packet</c> found the SYN invalid for the entry it hit (a reply-direction SYN on a CLOSE entry);
    /// the packet continues untracked (<c>nf_conntrack_in</c> returns NF_ACCEPT without a conntrack).
    /// </summary>
    Invalid,

    /// <summary>
    /// Flow: the first packet went through without a conntrack entry: it carried the untracked template
    /// (raw <c>-j CT --notrack</c> / <c>NOTRACK</c> / nft <c>notrack</c> before <c>nf_conntrack_in</c>), or no loaded rule
    /// needs conntrack, so its hooks are not registered in the namespace (<c>nf_ct_netns_get</c> was never called). No
    /// entry, no NAT, no tuple held.
    /// </summary>
    Untracked,

    /// <summary>
    /// Flow: a rule (DROP, REJECT) or a base chain's DROP policy dropped the first packet before confirm: the
    /// unconfirmed entry is freed (<c>nf_hook_slow</c> NF_DROP -> <c>kfree_skb</c> -> <c>nf_conntrack_put</c> ->
    /// <c>nf_ct_destroy</c>), never inserted; the flow holds no tuple.
    /// </summary>
    Filtered,
}
