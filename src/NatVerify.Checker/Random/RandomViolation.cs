namespace NatVerify.Checker.Random;

/// <summary>A schedule the random search found that violates an invariant, before and after shrinking.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Invariant">The invariant that failed.</param>
/// <param name="Message">Its message in the last state of the shrunk schedule.</param>
/// <param name="ScheduleIndex">Which schedule of the run failed (0-based).</param>
/// <param name="ScheduleSeed">The seed of that schedule's random choices.</param>
/// <param name="Original">The failing schedule as found.</param>
/// <param name="Shrunk">The shrunk schedule; replaying it reproduces the violation.</param>
/// <param name="Trace">The path of the shrunk schedule, ending in the violating state.</param>
/// <param name="ShrinkSteps">How many shrinking moves were accepted.</param>
public sealed record RandomViolation<TState, TAction>(
    Invariant<TState> Invariant,
    string Message,
    long ScheduleIndex,
    ulong ScheduleSeed,
    ChoiceSchedule Original,
    ChoiceSchedule Shrunk,
    Trace<TState, TAction> Trace,
    int ShrinkSteps);
