namespace NatVerify.Checker;

/// <summary>Receives progress reports and terminal states during a run; called on the thread running the checker.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public interface IExplorationObserver<TState, TAction>
{
    /// <summary>Called with a statistics snapshot at most once per <see cref="CheckerOptions.ProgressInterval"/>.</summary>
    /// <param name="stats">The statistics so far.</param>
    void OnProgress(ExplorationStats stats);

    /// <summary>
    /// Called once per distinct state that has no successors. The trace is reconstructed (by replaying
    /// successors from the initial state) only if the callback invokes <paramref name="traceFactory"/>.
    /// </summary>
    /// <param name="state">The terminal state.</param>
    /// <param name="traceFactory">Builds a trace from an initial state to <paramref name="state"/>; it stays valid after the run returns, keeping the run's bookkeeping alive while referenced.</param>
    void OnTerminal(TState state, Func<Trace<TState, TAction>> traceFactory);
}
