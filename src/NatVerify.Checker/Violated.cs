namespace NatVerify.Checker;

/// <summary>An invariant failed in a reachable state; the trace leads from an initial state to it.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Stats">The statistics of the run.</param>
/// <param name="Invariant">The invariant whose violation was found first (the lowest in list order among those failing in the first violating state).</param>
/// <param name="Message">The message returned by the invariant's check.</param>
/// <param name="Trace">A path whose final state violates the invariant; shortest under breadth-first search.</param>
public sealed record Violated<TState, TAction>(
    ExplorationStats Stats,
    Invariant<TState> Invariant,
    string Message,
    Trace<TState, TAction> Trace) : CheckResult<TState, TAction>(Stats)
{
    /// <summary>
    /// Every invariant that failed in some stored state, in the invariants' list order, each with its own
    /// counterexample: the shortest under breadth-first search, the shortest found under depth-first search. With
    /// <see cref="CheckerOptions.StopAtFirstViolation"/> the search stops at the first violating state, so this lists
    /// the invariants failing in that state only; without it, every stored state was checked against every invariant.
    /// </summary>
    public IReadOnlyList<PropertyViolation<TState, TAction>> Violations
    {
        get => _violations ?? [new PropertyViolation<TState, TAction>(Invariant, Message, Trace)];
        init => _violations = value;
    }

    private readonly IReadOnlyList<PropertyViolation<TState, TAction>>? _violations;
}

/// <summary>One invariant's violation: its message and a counterexample trace.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Invariant">The invariant.</param>
/// <param name="Message">The invariant's message in the trace's final state.</param>
/// <param name="Trace">A path from an initial state to a state violating the invariant.</param>
public sealed record PropertyViolation<TState, TAction>(Invariant<TState> Invariant, string Message, Trace<TState, TAction> Trace);
