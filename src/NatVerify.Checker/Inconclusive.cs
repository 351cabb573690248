namespace NatVerify.Checker;

/// <summary>A resource bound stopped or pruned the search before any violation was found, so nothing is proved.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Stats">The statistics of the run up to the bound.</param>
/// <param name="Bound">The bound that was hit.</param>
/// <param name="Detail">A human-readable explanation of the bound.</param>
public sealed record Inconclusive<TState, TAction>(ExplorationStats Stats, BoundKind Bound, string Detail) : CheckResult<TState, TAction>(Stats);
