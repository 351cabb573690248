namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a transition system that can say which abstract locations (<see cref="Region"/>s) each
/// step reads and writes, and which ones a process may still touch in the future. With
/// <see cref="CheckerOptions.PartialOrderReduction"/> the engine then computes, in each state, a <em>stubborn</em> set
/// of processes whose enabled steps are expanded alone: it is preferred over <see cref="IIndependence{TState, TAction}"/>
/// when a system implements both. The engine knows nothing of what the regions mean.
/// </summary>
/// <remarks>
/// <para>
/// In state <c>s</c> the engine looks for a set P of processes with enabled steps, not all of them, such that
/// (1) the footprint of P's enabled steps conflicts (<see cref="Footprint.ConflictsWith"/>) with the
/// <see cref="FutureFootprint"/> of no process outside P, (2) none of those steps is visible and (3) every one of them
/// strictly increases <see cref="Progress"/>. It grows P from one process by adding every process whose future
/// conflicts (giving up when such a process has no enabled step, or a visible one), and keeps the smallest P found.
/// (1) makes P's steps a persistent set: along any path on which P does not move, every step of the others is
/// independent of each of P's steps (they write nothing the other reads or writes), so P's steps stay enabled, stay
/// the same, and commute with the path. A persistent set in every reduced state preserves every reachable terminal
/// state. (2) and (3) (the cycle proviso: no cycle of reduced expansions) add the reachability of every invariant
/// violation: a kept step can never repair a violation, and a path to a violation that does not use it can be
/// replayed after it.
/// </para>
/// <para>
/// Soundness rests on the footprints being over-approximations: <see cref="StepFootprint"/> must name everything a
/// step's enabledness, its sibling steps of the same process, and its effect depend on, and everything it changes;
/// <see cref="FutureFootprint"/> everything any later step of the process may read or write. A process's enabled
/// steps must be a function of what they read. The steps of one process never commute with each other.
/// </para>
/// </remarks>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public interface IStepFootprints<TState, TAction>
{
    /// <summary>Gets the number of processes; process ids are 0 to <c>ProcessCount - 1</c>.</summary>
    int ProcessCount { get; }

    /// <summary>Returns the process that takes <paramref name="action"/>.</summary>
    /// <param name="action">A step label produced by the transition system.</param>
    /// <returns>A process id in [0, <see cref="ProcessCount"/>).</returns>
    int ProcessOf(TAction action);

    /// <summary>Adds to <paramref name="footprint"/> what the step, enabled in <paramref name="state"/>, reads and writes.</summary>
    /// <param name="state">The state in which the step is enabled.</param>
    /// <param name="action">The step.</param>
    /// <param name="footprint">The footprint to add to (it may already hold the process's other steps).</param>
    void StepFootprint(TState state, TAction action, Footprint footprint);

    /// <summary>
    /// Adds to <paramref name="footprint"/> everything <paramref name="process"/> may read or write in any step it can
    /// take from <paramref name="state"/> onwards (its enabled steps included); nothing for a process that can never step again.
    /// </summary>
    /// <param name="state">The state being expanded.</param>
    /// <param name="process">A process.</param>
    /// <param name="footprint">The footprint to add to (empty when called).</param>
    void FutureFootprint(TState state, int process, Footprint footprint);

    /// <summary>
    /// Returns true when the step, taken in <paramref name="state"/> or in a later state where it is still enabled, may
    /// turn a state that violates some checked invariant into one that satisfies it (or change anything an observer
    /// reads besides terminal states). Steps that can only make invariants false, or touch nothing they read, are not
    /// visible. False only when sure.
    /// </summary>
    /// <param name="state">The state in which the step is enabled.</param>
    /// <param name="action">The step.</param>
    /// <returns>False only when the step can never repair a violation.</returns>
    bool IsVisible(TState state, TAction action);

    /// <summary>A progress measure; reduced expansions are only used when every kept step strictly increases it.</summary>
    /// <param name="state">A state.</param>
    /// <returns>The measure.</returns>
    long Progress(TState state);
}
