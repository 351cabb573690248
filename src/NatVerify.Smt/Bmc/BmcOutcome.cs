namespace NatVerify.Smt.Bmc;

/// <summary>The outcomes <c>NatSemantics.OutcomeOf</c> gives actors of the BMC subset, as codes in the formulas.</summary>
internal enum BmcOutcome
{
    Kept,
    RewrittenLow,
    RewrittenMiddle,
    RewrittenHigh,
    RewrittenDstPort,
    Nat,
    NatSportRewritten,
    ClashEntry,
    Dropped,
    Merged,
    Joined,
    Blocked,
    Inserted,
    Exists,
    RewrittenIcmpId,
    UntrackedNoConntrack,
    Invalid,
    Closed,
    Skipped,
    Deleted,
    NotFound,

    /// <summary>Added to a confirmed flow's code when it connected after a retransmission (<c>retried:OUTCOME</c>).</summary>
    RetriedOffset = 64,
}
