using NatVerify.Checker;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Oracle.Model;

/// <summary>
/// One terminal state of the model, as the kernel could show it: the table <c>conntrack -L</c> lists, each flow's
/// delivered packet, each ctnetlink event's outcome, and the counters.
/// </summary>
public sealed record Prediction
{
    /// <summary>1-based number among the model's terminal states (BFS order).</summary>
    public required int Number { get; init; }

    /// <summary>The terminal state.</summary>
    public required NatState State { get; init; }

    /// <summary>Every actor's outcome, in scenario order (the joint outcome).</summary>
    public required IReadOnlyList<Outcome> Outcomes { get; init; }

    /// <summary>The entries a dump would list.</summary>
    public required IReadOnlyList<PredictedEntry> Entries { get; init; }

    /// <summary>Each flow actor's prediction, by name.</summary>
    public required IReadOnlyDictionary<string, PredictedFlow> Flows { get; init; }

    /// <summary>Each ctnetlink actor's outcome (inserted, exists, deleted, not-found), by name.</summary>
    public required IReadOnlyDictionary<string, OutcomeKind> Events { get; init; }

    /// <summary>The counters the state determines.</summary>
    public required CounterExpectation Counters { get; init; }

    /// <summary>The flows whose first packet confirm dropped (each retransmission of theirs is dropped and counted again).</summary>
    public required IReadOnlyList<string> DroppedAtConfirm { get; init; }

    /// <summary>Builds a shortest trace from the initial state to this one.</summary>
    public required Func<Trace<NatState, NatStep>> Witness { get; init; }
}
