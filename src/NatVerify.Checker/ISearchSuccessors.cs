namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a transition system whose step labels carry diagnostics that only traces read (probes,
/// messages): the search then expands states with <see cref="SearchSuccessors"/>, and traces (counterexamples,
/// witnesses) are rebuilt with <see cref="ITransitionSystem{TState, TAction}.Successors"/>, so the diagnostics are
/// computed only for the few paths that are reported.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public interface ISearchSuccessors<TState, TAction> : ITransitionSystem<TState, TAction>
{
    /// <summary>
    /// Appends exactly the successors <see cref="ITransitionSystem{TState, TAction}.Successors"/> appends, in the
    /// same order, with labels that may leave out diagnostics; whatever partial-order reduction reads from a label
    /// (<see cref="IIndependence{TState, TAction}"/>) must be the same.
    /// </summary>
    /// <param name="state">The state to expand.</param>
    /// <param name="sink">The list receiving the successors.</param>
    void SearchSuccessors(TState state, List<Transition<TState, TAction>> sink);
}
