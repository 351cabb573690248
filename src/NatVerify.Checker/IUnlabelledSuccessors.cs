namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a transition system that can expand a state without building its step labels. A search
/// that reads no label (no partial-order reduction, no sleep sets: it records each successor's ordinal, and a trace is
/// rebuilt with <see cref="ITransitionSystem{TState, TAction}.Successors"/>) then expands states with
/// <see cref="UnlabelledSuccessors"/>, and no label is built for the millions of steps that no report ever shows.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public interface IUnlabelledSuccessors<TState, TAction> : ITransitionSystem<TState, TAction>
{
    /// <summary>
    /// Appends exactly the successor states <see cref="ITransitionSystem{TState, TAction}.Successors"/> appends, in the
    /// same order, each with the default label.
    /// </summary>
    /// <param name="state">The state to expand.</param>
    /// <param name="sink">The list receiving the successors.</param>
    void UnlabelledSuccessors(TState state, List<Transition<TState, TAction>> sink);
}
