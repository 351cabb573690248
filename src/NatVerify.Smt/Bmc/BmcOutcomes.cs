using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;

namespace NatVerify.Smt.Bmc;

/// <summary>Conversion of outcome codes to the model's outcomes.</summary>
internal static class BmcOutcomes
{
    /// <summary>Width of an outcome code.</summary>
    public const uint CodeBits = 24;

    /// <summary><c>filtered:RULE</c> is this plus the slot's DecidedBy (0: no rule named).</summary>
    public const ulong FilteredBase = 0x10000;

    /// <summary><c>untracked:RULE</c> is this plus the slot's DecidedBy (at least 1).</summary>
    public const ulong UntrackedBase = 0x20000;

    /// <summary>The outcome of a code, naming the deciding rule of a filtered or untracked flow through <paramref name="semantics"/>.</summary>
    public static Outcome ToOutcome(ulong code, NatSemantics semantics) => code switch
    {
        >= UntrackedBase => new Outcome(OutcomeKind.Untracked, semantics.Decider((int)(code - UntrackedBase) - 1).Name),
        FilteredBase => new Outcome(OutcomeKind.Filtered, null),
        > FilteredBase => new Outcome(OutcomeKind.Filtered, semantics.Decider((int)(code - FilteredBase) - 1).Name),
        _ => ((BmcOutcome)code).ToOutcome(),
    };

    /// <summary>A retransmitted SYN's confirmed outcome is <c>retried:INNER</c> (<c>NatSemantics.OutcomeOf</c>); codes below <see cref="FilteredBase"/>.</summary>
    public static Outcome ToOutcome(this BmcOutcome o) => o >= BmcOutcome.RetriedOffset
        ? new Outcome(OutcomeKind.Retried, ((BmcOutcome)(o - BmcOutcome.RetriedOffset)).ToOutcome().ToString())
        : o switch
    {
        BmcOutcome.Kept => new Outcome(OutcomeKind.Kept, null),
        BmcOutcome.RewrittenLow => new Outcome(OutcomeKind.Rewritten, "1-511"),
        BmcOutcome.RewrittenMiddle => new Outcome(OutcomeKind.Rewritten, "600-1023"),
        BmcOutcome.RewrittenHigh => new Outcome(OutcomeKind.Rewritten, "1024-65535"),
        BmcOutcome.RewrittenDstPort => new Outcome(OutcomeKind.Rewritten, "dst-port"),
        BmcOutcome.Nat => new Outcome(OutcomeKind.Nat, null),
        BmcOutcome.NatSportRewritten => new Outcome(OutcomeKind.Nat, "sport-rewritten"),
        BmcOutcome.ClashEntry => new Outcome(OutcomeKind.ClashEntry, null),
        BmcOutcome.Dropped => new Outcome(OutcomeKind.Dropped, null),
        BmcOutcome.Merged => new Outcome(OutcomeKind.Merged, null),
        BmcOutcome.Joined => new Outcome(OutcomeKind.Joined, null),
        BmcOutcome.Blocked => new Outcome(OutcomeKind.Blocked, null),
        BmcOutcome.Inserted => new Outcome(OutcomeKind.Inserted, null),
        BmcOutcome.RewrittenIcmpId => new Outcome(OutcomeKind.Rewritten, "icmp-id"),
        BmcOutcome.UntrackedNoConntrack => new Outcome(OutcomeKind.Untracked, "no-conntrack"),
        BmcOutcome.Invalid => new Outcome(OutcomeKind.Invalid, null),
        BmcOutcome.Closed => new Outcome(OutcomeKind.Closed, null),
        BmcOutcome.Skipped => new Outcome(OutcomeKind.Skipped, null),
        BmcOutcome.Deleted => new Outcome(OutcomeKind.Deleted, null),
        BmcOutcome.NotFound => new Outcome(OutcomeKind.NotFound, null),
        _ => new Outcome(OutcomeKind.Exists, null),
    };
}
