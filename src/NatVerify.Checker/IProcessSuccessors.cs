namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a transition system with footprints (<see cref="IStepFootprints{TState, TAction}"/>) that
/// can expand one process at a time. With <see cref="CheckerOptions.PartialOrderReduction"/> (and
/// <see cref="CheckerOptions.LazyReduction"/>) the engine then computes the stubborn set of a state from per-process
/// footprints first and builds only the successors it needs: those of the processes whose step counts, visibility or
/// progress decide the choice, and those of the chosen set. The reduced state space is exactly the one of the eager
/// expansion (every successor built, then the stubborn set selected): same states, same kept transitions in the same
/// order, so breadth-first ids and traces do not change.
/// </summary>
/// <remarks>
/// <para>
/// The persistent-set argument of <see cref="IStepFootprints{TState, TAction}"/> is unchanged, because the engine
/// decides from the same facts: the footprint of a process's enabled steps (<see cref="EnabledFootprint"/> must add
/// exactly the regions, as a set, that <see cref="IStepFootprints{TState, TAction}.StepFootprint"/> adds over those
/// steps), the future footprints, and, built from <see cref="ProcessSuccessors"/>, the number of enabled steps, their
/// visibility and their progress. What the implementation must keep exact:
/// </para>
/// <list type="bullet">
/// <item>The full successor list (<see cref="ISearchSuccessors{TState, TAction}.SearchSuccessors"/> when implemented,
/// else <see cref="ITransitionSystem{TState, TAction}.Successors"/>) lists the steps of process 0 first, then those of
/// process 1, and so on: processes in increasing id order, each process's steps consecutive.</item>
/// <item><see cref="ProcessSuccessors"/> appends exactly that process's part of the list, in the same order, with the
/// same labels; <see cref="HasEnabledSteps"/> is true exactly when that part is not empty.</item>
/// </list>
/// <para>
/// A reduced expansion records each kept step by its index among the kept steps; traces are rebuilt by expanding
/// the state again the same way and finding that step (same process, same rank within the process) in
/// <see cref="ITransitionSystem{TState, TAction}.Successors"/>.
/// </para>
/// </remarks>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public interface IProcessSuccessors<TState, TAction> : IStepFootprints<TState, TAction>
{
    /// <summary>Returns true when <paramref name="process"/> has at least one enabled step in <paramref name="state"/>.</summary>
    /// <param name="state">A state.</param>
    /// <param name="process">A process id in [0, <see cref="IStepFootprints{TState, TAction}.ProcessCount"/>).</param>
    /// <returns>True exactly when <see cref="ProcessSuccessors"/> would append a successor.</returns>
    bool HasEnabledSteps(TState state, int process);

    /// <summary>
    /// Adds to <paramref name="footprint"/> what the enabled steps of <paramref name="process"/> read and write: the
    /// union of <see cref="IStepFootprints{TState, TAction}.StepFootprint"/> over them, computed from the state without
    /// building their successors.
    /// </summary>
    /// <param name="state">A state in which the process has enabled steps.</param>
    /// <param name="process">The process.</param>
    /// <param name="footprint">The footprint to add to (empty when called).</param>
    void EnabledFootprint(TState state, int process, Footprint footprint);

    /// <summary>
    /// Appends the successors of the steps of <paramref name="process"/>, exactly as the full successor list has them
    /// (same order, same labels), without removing what is already in <paramref name="sink"/>.
    /// </summary>
    /// <param name="state">The state to expand.</param>
    /// <param name="process">The process.</param>
    /// <param name="sink">The list receiving the successors.</param>
    void ProcessSuccessors(TState state, int process, List<Transition<TState, TAction>> sink);
}
