using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>What <c>__nf_conntrack_confirm</c> did: exactly one of the four results holds.</summary>
internal sealed record ConfirmOutcome(
    BoolExpr Inserted, BoolExpr Dropped, BoolExpr Merged, BoolExpr ClashEntry, EntryView Partner, BoolExpr OnReply);
