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
}
