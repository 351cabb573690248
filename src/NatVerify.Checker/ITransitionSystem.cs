namespace NatVerify.Checker;

/// <summary>A deterministic labelled transition system that the <see cref="ModelChecker{TState, TAction}"/> explores.</summary>
/// <typeparam name="TState">The state type; states are compared through their <see cref="IStateEncoder{TState}"/> encoding.</typeparam>
/// <typeparam name="TAction">The label attached to each transition.</typeparam>
public interface ITransitionSystem<TState, TAction>
{
    /// <summary>Gets the initial states, in a deterministic order.</summary>
    IReadOnlyList<TState> InitialStates { get; }

    /// <summary>
    /// Appends every successor of <paramref name="state"/> to <paramref name="sink"/>, in a deterministic order
    /// (the same state always yields the same list in the same order), without removing what is already there.
    /// </summary>
    /// <param name="state">The state to expand.</param>
    /// <param name="sink">The list receiving the successors.</param>
    void Successors(TState state, List<Transition<TState, TAction>> sink);
}
