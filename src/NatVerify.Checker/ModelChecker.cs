namespace NatVerify.Checker;

/// <summary>
/// An explicit-state model checker: explores every reachable state of a transition system, deduplicating by
/// 64-bit fingerprint, and checks invariants in each stored state.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public sealed class ModelChecker<TState, TAction>
{
    private readonly ITransitionSystem<TState, TAction> _system;
    private readonly IStateEncoder<TState> _encoder;
    private readonly Invariant<TState>[] _invariants;
    private readonly CheckerOptions _options;
    private readonly IExplorationObserver<TState, TAction>? _observer;

    /// <summary>Creates a checker; each <see cref="Run"/> performs an independent exploration.</summary>
    /// <param name="system">The transition system to explore; its successor order must be deterministic.</param>
    /// <param name="encoder">The canonical state encoder used for fingerprints.</param>
    /// <param name="invariants">The invariants checked in every stored state, in this order.</param>
    /// <param name="options">Search order and bounds.</param>
    /// <param name="observer">An optional receiver of progress reports and terminal states.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound in <paramref name="options"/> is negative, or the worker count is not 1 or 2.</exception>
    public ModelChecker(
        ITransitionSystem<TState, TAction> system,
        IStateEncoder<TState> encoder,
        IReadOnlyList<Invariant<TState>> invariants,
        CheckerOptions options,
        IExplorationObserver<TState, TAction>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(invariants);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxStates is long maxStates)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxStates, "options.MaxStates");
        }

        if (options.MaxDepth is int maxDepth)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxDepth, "options.MaxDepth");
        }

        if (options.MaxMemoryBytes is long maxMemory)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxMemory, "options.MaxMemoryBytes");
        }

        if (options.Timeout is TimeSpan timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero, "options.Timeout");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ProgressInterval, TimeSpan.Zero, "options.ProgressInterval");
        if (options.Workers is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException("options.Workers", options.Workers, "Workers must be 1 or 2.");
        }

        if (options.ExpectedStates is long expected)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expected, "options.ExpectedStates");
        }


        _invariants = new Invariant<TState>[invariants.Count];
        for (int i = 0; i < _invariants.Length; i++)
        {
            _invariants[i] = invariants[i] ?? throw new ArgumentException($"Invariant {i} is null.", nameof(invariants));
        }

        _system = system;
        _encoder = encoder;
        _options = options;
        _observer = observer;
    }

    /// <summary>
    /// Explores the state space. Bounds and cancellation end in <see cref="Inconclusive{TState, TAction}"/>
    /// rather than an exception; exceptions from the model, encoder, invariants or observer propagate.
    /// </summary>
    /// <param name="cancellationToken">Signals that the run should stop with <see cref="BoundKind.Cancelled"/>.</param>
    /// <returns>The outcome with complete statistics for the part of the space explored.</returns>
    /// <exception cref="InvalidOperationException">Replaying a trace showed that the successor order is not deterministic.</exception>
    public CheckResult<TState, TAction> Run(CancellationToken cancellationToken = default)
    {
        var explorer = new Explorer<TState, TAction>(_system, _encoder, _invariants, _options, _observer, cancellationToken);
        return explorer.Run();
    }
}
