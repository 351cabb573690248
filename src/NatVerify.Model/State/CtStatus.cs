namespace NatVerify.Model.State;

/// <summary>
/// The <c>IPS_*</c> status bits of <c>struct nf_conn</c> that matter here, plus model bookkeeping bits
/// (which manips were null bindings or rules, expiry and removal).
/// </summary>
[Flags]
public enum CtStatus : uint
{
    /// <summary>No bit.</summary>
    None = 0,

    /// <summary>IPS_SRC_NAT: the SRC manip changed the tuple.</summary>
    SrcNat = 1 << 0,

    /// <summary>IPS_DST_NAT: the DST manip changed the tuple.</summary>
    DstNat = 1 << 1,

    /// <summary>IPS_SRC_NAT_DONE: the SRC manip decision was made.</summary>
    SrcNatDone = 1 << 2,

    /// <summary>IPS_DST_NAT_DONE: the DST manip decision was made.</summary>
    DstNatDone = 1 << 3,

    /// <summary>IPS_NAT_CLASH: reply-only entry from <c>nf_ct_resolve_clash_harder</c>.</summary>
    NatClash = 1 << 4,

    /// <summary>The entry's timeout ran out (<c>nf_ct_is_expired</c>); still linked until collected.</summary>
    Expired = 1 << 5,

    /// <summary>Unlinked from the table (deleted via ctnetlink or garbage-collected after expiry).</summary>
    Removed = 1 << 6,

    /// <summary>Model bookkeeping: the SRC manip was a null binding.</summary>
    SrcNullBinding = 1 << 7,

    /// <summary>Model bookkeeping: the DST manip was a null binding.</summary>
    DstNullBinding = 1 << 8,

    /// <summary>Model bookkeeping: a NAT rule (not a null binding) set a manip.</summary>
    RuleApplied = 1 << 9,

    /// <summary>Model bookkeeping: at the SRC probe the flow's natural tuple was truly free.</summary>
    SrcProbeFree = 1 << 10,

    /// <summary>Model bookkeeping: the SRC mapping was a single fixed port (min == max), so no search could avoid a clash.</summary>
    SrcFixedPort = 1 << 11,

    /// <summary>Model bookkeeping: the SRC port search gave up (range exhausted or capped search missed).</summary>
    SrcSearchFailed = 1 << 12,

    /// <summary>Model bookkeeping: the confirm clash was on the reply tuple (the one NAT chooses).</summary>
    ClashOnReply = 1 << 13,

    /// <summary>Model bookkeeping: dropped by a NAT target (e.g. MASQUERADE without an address), not at confirm.</summary>
    DroppedByTarget = 1 << 14,

    /// <summary>
    /// TCP: the connection closed with FIN (<c>TCP_CONNTRACK_TIME_WAIT</c>, <c>IP_CT_TCP_FLAG_CLOSE_INIT</c> seen);
    /// both nodes stay linked until the timeout.
    /// </summary>
    TcpTimeWait = 1 << 15,

    /// <summary>
    /// TCP: the connection was reset by its original side (<c>TCP_CONNTRACK_CLOSE</c>, <c>last_index</c> = RST,
    /// <c>last_dir</c> = ORIGINAL); both nodes stay linked until the timeout.
    /// </summary>
    TcpClose = 1 << 16,

    /// <summary>Model bookkeeping: <c>nf_nat_used_tuple_harder</c> killed this entry to reuse its reply tuple.</summary>
    EvictedBySnat = 1 << 17,
}
