using NatVerify.Model;
using NatVerify.Specs;

namespace NatVerify.Smt.Bmc;

/// <summary>Everything bounded model checking found on one spec.</summary>
public sealed record BmcReport
{
    /// <summary>The spec.</summary>
    public required ScenarioSpec Spec { get; init; }

    /// <summary>The symbolic fields.</summary>
    public required SymbolicSpec Symbolic { get; init; }

    /// <summary>The kernel profile.</summary>
    public required KernelProfile Profile { get; init; }

    /// <summary>The mutant.</summary>
    public required KernelMutant Mutant { get; init; }

    /// <summary>The bound K.</summary>
    public required int Bound { get; init; }

    /// <summary>The scenario's full depth: with K at least this, every interleaving is covered to its end.</summary>
    public required int FullDepth { get; init; }

    /// <summary>Formula size: Z3 assertions of the unrolling.</summary>
    public required int Assertions { get; init; }

    /// <summary>Time to build the formulas.</summary>
    public required TimeSpan EncodeTime { get; init; }

    /// <summary>One result per property checked.</summary>
    public required IReadOnlyList<BmcPropertyResult> Properties { get; init; }

    /// <summary>The joint outcomes found, in the order found.</summary>
    public required IReadOnlyList<BmcJointOutcome> JointOutcomes { get; init; }

    /// <summary>How the outcome enumeration ended: unsat (every joint outcome within the bound found), unknown, or null when not run or stopped at the cap.</summary>
    public SmtOutcome? OutcomeEnumerationEnd { get; init; }

    /// <summary>Spec expectations that the results contradict.</summary>
    public required IReadOnlyList<string> ExpectationFailures { get; init; }

    /// <summary>Notes on expectations that could not be judged (bound below the full depth, symbolic fields).</summary>
    public required IReadOnlyList<string> ExpectationNotes { get; init; }

    /// <summary>True when the bound reaches the end of every interleaving.</summary>
    public bool Complete => Bound >= FullDepth;

    /// <summary>Witnesses the explicit engine could not reproduce: an internal error of the encoding.</summary>
    public IEnumerable<ReplayResult> FailedReplays =>
        Properties.Where(p => p.Replay is { Reproduced: false }).Select(p => p.Replay!)
            .Concat(JointOutcomes.Where(j => !j.Replay.Reproduced).Select(j => j.Replay));

    /// <summary>The whole-run bound (time or memory) that ended the run early, or null when every query ran.</summary>
    public BmcBound? EndedBy { get; init; }

    /// <summary>True when some query ended unknown or a run bound ended the run.</summary>
    public bool AnyUnknown => EndedBy is not null || Properties.Any(p => p.Outcome is SmtUnknown) || OutcomeEnumerationEnd is SmtUnknown;
}

/// <summary>A whole-run bound that ended a BMC run before every query was answered.</summary>
/// <param name="Kind">The bound: <see cref="Checker.BoundKind.Timeout"/> or <see cref="Checker.BoundKind.MaxMemory"/>.</param>
/// <param name="Detail">What was measured against which limit, and where the run stopped.</param>
public sealed record BmcBound(Checker.BoundKind Kind, string Detail)
{
}
