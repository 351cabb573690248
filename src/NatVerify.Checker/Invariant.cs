namespace NatVerify.Checker;

/// <summary>A named state predicate that must hold in every reachable state.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="Id">A short stable identifier, e.g. for reports.</param>
/// <param name="Description">A human-readable statement of the property.</param>
/// <param name="Check">Returns <see langword="null"/> when the invariant holds in the state, otherwise a message explaining the violation.</param>
public sealed record Invariant<TState>(string Id, string Description, Func<TState, string?> Check);
