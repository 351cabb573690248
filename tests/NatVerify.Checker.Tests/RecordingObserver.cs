using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

/// <summary>Records progress snapshots and terminal states (building each terminal's trace eagerly when asked to).</summary>
public sealed class RecordingObserver<TState, TAction> : IExplorationObserver<TState, TAction>
{
    private readonly bool _buildTraces;
    private readonly Action<ExplorationStats>? _onProgress;

    public RecordingObserver(bool buildTraces = true, Action<ExplorationStats>? onProgress = null)
    {
        _buildTraces = buildTraces;
        _onProgress = onProgress;
    }

    public List<ExplorationStats> Progress { get; } = [];

    public List<(TState State, Trace<TState, TAction>? Trace)> Terminals { get; } = [];

    public void OnProgress(ExplorationStats stats)
    {
        Progress.Add(stats);
        _onProgress?.Invoke(stats);
    }

    public void OnTerminal(TState state, Func<Trace<TState, TAction>> traceFactory)
    {
        Terminals.Add((state, _buildTraces ? traceFactory() : null));
    }
}
