namespace NatVerify.Checker;

/// <summary>The whole reachable state space was explored and every invariant held in every state.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Stats">The statistics of the run.</param>
public sealed record Verified<TState, TAction>(ExplorationStats Stats) : CheckResult<TState, TAction>(Stats);
