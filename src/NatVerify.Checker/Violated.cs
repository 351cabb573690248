namespace NatVerify.Checker;

/// <summary>An invariant failed in a reachable state; the trace leads from an initial state to it.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Stats">The statistics of the run.</param>
/// <param name="Invariant">The first invariant (in list order) that failed in the violating state.</param>
/// <param name="Message">The message returned by the invariant's check.</param>
/// <param name="Trace">A path whose final state violates the invariant; shortest under breadth-first search.</param>
public sealed record Violated<TState, TAction>(
    ExplorationStats Stats,
    Invariant<TState> Invariant,
    string Message,
    Trace<TState, TAction> Trace) : CheckResult<TState, TAction>(Stats);
