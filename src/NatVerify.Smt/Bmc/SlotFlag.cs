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

    // ---- rules of every table (chain encoding) ----
    DroppedByTarget,
}
