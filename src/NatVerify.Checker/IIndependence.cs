namespace NatVerify.Checker;

/// <summary>
/// Optional knowledge a transition system can give (by also implementing this interface) so that the checker,
/// with <see cref="CheckerOptions.PartialOrderReduction"/>, explores one representative of interleavings that
/// commute: in a state it may expand only the steps of one process (a persistent set) instead of every step.
/// </summary>
/// <remarks>
/// <para>
/// Each step belongs to one process (a flow, an external writer, ...). The checker expands only process
/// <c>p</c>'s enabled steps in state <c>s</c> when (1) <c>p</c> is not the only process with enabled steps,
/// (2) none of those steps is visible, (3) <see cref="CommutesWithFutureOf"/> holds for <c>p</c> and every other
/// process, and (4) every kept successor has a strictly greater <see cref="Progress"/> than <c>s</c>. Otherwise it
/// expands every step. (1)–(3) make the kept steps a persistent set whose steps do not change any invariant's
/// truth value; (4) means no cycle can consist of reduced expansions only (the cycle proviso). Together they
/// preserve every reachable terminal state and the reachability of every invariant violation, so verdicts,
/// terminal states and outcomes do not change; states, transitions and trace lengths may.
/// </para>
/// <para>
/// Soundness rests on the answers: <see cref="CommutesWithFutureOf"/> and <see cref="IsVisible"/> must be
/// conservative (answer "does not commute" / "visible" when unsure).
/// </para>
/// </remarks>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public interface IIndependence<TState, TAction>
{
    /// <summary>Gets the number of processes; process ids are 0 to <c>ProcessCount - 1</c>.</summary>
    int ProcessCount { get; }

    /// <summary>Returns the process that takes <paramref name="action"/>; the steps of one process never commute with each other.</summary>
    /// <param name="action">A step label produced by the transition system.</param>
    /// <returns>A process id in [0, <see cref="ProcessCount"/>).</returns>
    int ProcessOf(TAction action);

    /// <summary>
    /// Returns true when <paramref name="action"/>, taken in <paramref name="state"/> or in any state reachable from it,
    /// may change whether some checked invariant holds (or anything the observer reads besides terminal states).
    /// </summary>
    /// <param name="state">The state in which the step is enabled.</param>
    /// <param name="action">The step.</param>
    /// <returns>False only when the step can never change an invariant's truth value.</returns>
    bool IsVisible(TState state, TAction action);

    /// <summary>
    /// Returns true when every step that process <paramref name="other"/> can take from <paramref name="state"/>
    /// onwards, for as long as <paramref name="process"/> does not move, is independent of every step
    /// <paramref name="process"/> has enabled in <paramref name="state"/>: the two never enable or disable each other,
    /// and taking them in either order leads to the same state. In addition, no step of
    /// <paramref name="process"/> that is disabled in <paramref name="state"/> may be enabled by other processes.
    /// </summary>
    /// <param name="state">The state being expanded.</param>
    /// <param name="process">The process whose enabled steps would be the only ones expanded.</param>
    /// <param name="other">Another process.</param>
    /// <returns>False when unsure.</returns>
    bool CommutesWithFutureOf(TState state, int process, int other);

    /// <summary>
    /// A progress measure (for example the number of steps taken so far). Reduced expansions are only used when
    /// every kept step strictly increases it, which rules out cycles made of reduced expansions alone.
    /// </summary>
    /// <param name="state">A state.</param>
    /// <returns>The measure.</returns>
    long Progress(TState state);
}
