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
}
