namespace NatVerify.Checker.Random;

/// <summary>The outcome of running one <see cref="ChoiceSchedule"/>.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Trace">The path taken, ending where the schedule stopped.</param>
/// <param name="Taken">The schedule as actually taken: every choice reduced modulo its successor count, trailing zeros dropped.</param>
/// <param name="End">Why it stopped.</param>
/// <param name="Invariant">The invariant that failed in the last state, when <paramref name="End"/> is <see cref="ReplayEnd.Violation"/>.</param>
/// <param name="Message">The failing invariant's message.</param>
public sealed record ReplayResult<TState, TAction>(
    Trace<TState, TAction> Trace,
    ChoiceSchedule Taken,
    ReplayEnd End,
    Invariant<TState>? Invariant,
    string? Message)
{
    /// <summary>True when an invariant failed.</summary>
    public bool Violated => End == ReplayEnd.Violation;
}
