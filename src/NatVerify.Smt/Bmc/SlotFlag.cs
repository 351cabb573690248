using NatVerify.Model.State;

namespace NatVerify.Smt.Bmc;

/// <summary>The status bits and ghost facts of a slot that the encoding tracks (a subset of <see cref="CtStatus"/>).</summary>
internal enum SlotFlag
{
    SrcNat,
    DstNat,
    SrcNatDone,
    DstNatDone,
    NatClash,
    SrcNullBinding,
    DstNullBinding,
    RuleApplied,
    SrcProbeFree,
    SrcFixedPort,
    SrcSearchFailed,
    ClashOnReply,

    // Table effects of the slot-state steps (docs/smt.md): unlinked by conntrack -D, a reopening SYN or
    // nf_nat_used_tuple_harder; the TCP state a close left (tcp_conntracks: sTW, sCL); the harder eviction's mark.
    Removed,
    TcpTimeWait,
    TcpClose,
    EvictedBySnat,

    // ---- rules of every table (chain encoding) ----
    DroppedByTarget,
}
