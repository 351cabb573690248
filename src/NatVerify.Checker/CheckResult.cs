namespace NatVerify.Checker;

/// <summary>The outcome of a run: <see cref="Verified{TState, TAction}"/>, <see cref="Violated{TState, TAction}"/> or <see cref="Inconclusive{TState, TAction}"/>.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Stats">The statistics of the run.</param>
public abstract record CheckResult<TState, TAction>(ExplorationStats Stats);
