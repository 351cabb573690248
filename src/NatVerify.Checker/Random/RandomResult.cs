namespace NatVerify.Checker.Random;

/// <summary>
/// The outcome of a random exploration: the first violation found (shrunk), or none. No violation proves nothing:
/// random search samples schedules, it does not exhaust them.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Seed">The run's seed (printed so the run can be repeated).</param>
/// <param name="Strategy">The strategy used.</param>
/// <param name="Stats">Counters of the search.</param>
/// <param name="Violation">The violation, or <see langword="null"/> when every sampled schedule kept every invariant.</param>
/// <param name="Cancelled">True when the caller's token stopped the run.</param>
public sealed record RandomResult<TState, TAction>(
    ulong Seed, RandomStrategy Strategy, RandomStats Stats, RandomViolation<TState, TAction>? Violation, bool Cancelled);
