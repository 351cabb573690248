using System.Diagnostics;

namespace NatVerify.Checker;

/// <summary>The mutable state of one <see cref="ModelChecker{TState, TAction}.Run"/> call.</summary>
internal sealed class Explorer<TState, TAction>
{
    private const long MemoryCheckMask = 4096 - 1;

    private readonly ITransitionSystem<TState, TAction> _system;
    private readonly IStateEncoder<TState> _encoder;
    private readonly Invariant<TState>[] _invariants;
    private readonly IExplorationObserver<TState, TAction>? _observer;
    private readonly CancellationToken _cancellationToken;
    private readonly bool _depthFirst;
    private readonly bool _stopAtFirstViolation;
    private readonly long _maxStates;
    private readonly int _maxDepth;
    private readonly long _maxMemoryBytes;
    private readonly TimeSpan _timeout;
    private readonly long _progressTicks;

    private readonly FingerprintSet _seen = new(1 << 12);

    // Per state id: the parent's id (-1 for initial states) and the successor ordinal within the parent's list
    // (for initial states, the index into InitialStates). Traces are rebuilt by replaying successors.
    private readonly GrowableArray<int> _parents = new(1 << 12);
    private readonly GrowableArray<int> _ordinals = new(1 << 12);

    private readonly StateWriter _writer = new();
    private readonly List<Transition<TState, TAction>> _successors = new();

    private IReadOnlyList<TState> _initialStates = Array.Empty<TState>();
    private long _startTimestamp;
    private long _deadline;
    private long _nextProgress;
    private long _transitions;
    private int _maxDepthReached;
    private long _terminalStates;

    private Invariant<TState>? _violatedInvariant;
    private string? _violationMessage;
    private Trace<TState, TAction>? _violationTrace;

    private BoundKind? _bound;
    private string _boundDetail = string.Empty;

    // Breadth-first: set as soon as a state at the depth limit has an unseen successor.
    private bool _depthLimitPruned;

    // Depth-first: unseen successors of depth-limit states; a later shorter path may still store them.
    private FingerprintSet? _prunedBeyondDepth;

    private StateWriter? _traceWriter;
    private List<Transition<TState, TAction>>? _traceSuccessors;
    private GrowableArray<int>? _traceOrdinals;

    public Explorer(
        ITransitionSystem<TState, TAction> system,
        IStateEncoder<TState> encoder,
        Invariant<TState>[] invariants,
        CheckerOptions options,
        IExplorationObserver<TState, TAction>? observer,
        CancellationToken cancellationToken)
    {
        _system = system;
        _encoder = encoder;
        _invariants = invariants;
        _observer = observer;
        _cancellationToken = cancellationToken;
        _depthFirst = options.Order == SearchOrder.DepthFirst;
        _stopAtFirstViolation = options.StopAtFirstViolation;
        _maxStates = options.MaxStates ?? long.MaxValue;
        _maxDepth = options.MaxDepth ?? int.MaxValue;
        _maxMemoryBytes = options.MaxMemoryBytes ?? long.MaxValue;
        _timeout = options.Timeout ?? TimeSpan.MaxValue;
        _progressTicks = ToTimestampTicks(options.ProgressInterval);
    }

    private enum StoreOutcome
    {
        Stored,
        Duplicate,
        Stop,
    }

    public CheckResult<TState, TAction> Run()
    {
        _startTimestamp = Stopwatch.GetTimestamp();
        _deadline = AddSaturating(_startTimestamp, ToTimestampTicks(_timeout));
        _nextProgress = AddSaturating(_startTimestamp, _progressTicks);
        try
        {
            if (!StopRequested())
            {
                _initialStates = _system.InitialStates;
                if (_depthFirst)
                {
                    RunDepthFirst();
                }
                else
                {
                    RunBreadthFirst();
                }
            }
        }
        catch (OutOfMemoryException exception)
        {
            // Large table allocations are the likely failure, so the heap is still usable for the result.
            SetBound(BoundKind.MaxMemory, "An allocation failed: " + exception.Message);
        }

        return BuildResult();
    }

    private void RunBreadthFirst()
    {
        var frontier = new Queue<FrontierEntry>();
        IReadOnlyList<TState> initialStates = _initialStates;
        for (int i = 0; i < initialStates.Count; i++)
        {
            TState initial = initialStates[i];
            StoreOutcome outcome = TryStore(initial, -1, i, 0, out int id);
            if (outcome == StoreOutcome.Stop)
            {
                return;
            }

            if (outcome == StoreOutcome.Stored)
            {
                frontier.Enqueue(new FrontierEntry(initial, id, 0));
            }
        }

        List<Transition<TState, TAction>> successors = _successors;
        while (frontier.TryDequeue(out FrontierEntry entry))
        {
            if (StopRequested())
            {
                return;
            }

            if (!Expand(entry.State, entry.Id, entry.Depth))
            {
                continue;
            }

            int depth = entry.Depth + 1;
            int count = successors.Count;
            for (int k = 0; k < count; k++)
            {
                TState next = successors[k].Next;
                StoreOutcome outcome = TryStore(next, entry.Id, k, depth, out int id);
                if (outcome == StoreOutcome.Stop)
                {
                    return;
                }

                if (outcome == StoreOutcome.Stored)
                {
                    frontier.Enqueue(new FrontierEntry(next, id, depth));
                }
            }
        }
    }

    private void RunDepthFirst()
    {
        // The successor lists of all frames on the stack live in one flat buffer, so the stack path is the trace
        // and no per-state list is allocated.
        var stack = new GrowableArray<DfsFrame>(64);
        var pending = new GrowableArray<Transition<TState, TAction>>(256);
        IReadOnlyList<TState> initialStates = _initialStates;
        for (int i = 0; i < initialStates.Count; i++)
        {
            TState initial = initialStates[i];
            StoreOutcome outcome = TryStore(initial, -1, i, 0, out int initialId);
            if (outcome == StoreOutcome.Stop)
            {
                return;
            }

            if (outcome == StoreOutcome.Duplicate || !Push(stack, pending, initial, initialId, 0))
            {
                if (_bound is not null)
                {
                    return;
                }

                continue;
            }

            while (stack.Count > 0)
            {
                ref DfsFrame top = ref stack[stack.Count - 1];
                if (top.Next == top.End)
                {
                    pending.Truncate(top.Start);
                    stack.Truncate(stack.Count - 1);
                    continue;
                }

                int index = top.Next++;
                int ordinal = index - top.Start;
                int parentId = top.Id;
                int depth = top.Depth + 1;
                TState next = pending[index].Next;
                StoreOutcome nextOutcome = TryStore(next, parentId, ordinal, depth, out int id);
                if (nextOutcome == StoreOutcome.Stop)
                {
                    return;
                }

                if (nextOutcome == StoreOutcome.Stored && !Push(stack, pending, next, id, depth) && _bound is not null)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Expands a state and pushes a frame when it has successors to descend into; false when nothing was pushed.</summary>
    private bool Push(
        GrowableArray<DfsFrame> stack,
        GrowableArray<Transition<TState, TAction>> pending,
        TState state,
        int id,
        int depth)
    {
        if (StopRequested() || !Expand(state, id, depth))
        {
            return false;
        }

        List<Transition<TState, TAction>> successors = _successors;
        int start = pending.Count;
        for (int k = 0; k < successors.Count; k++)
        {
            pending.Add(successors[k]);
        }

        stack.Add(new DfsFrame(id, depth, start, pending.Count));
        return true;
    }

    /// <summary>
    /// Fills <see cref="_successors"/>, counts transitions and terminal states, and handles the depth limit.
    /// Returns true when the successors should be stored.
    /// </summary>
    private bool Expand(TState state, int id, int depth)
    {
        List<Transition<TState, TAction>> successors = _successors;
        successors.Clear();
        _system.Successors(state, successors);
        int count = successors.Count;
        _transitions += count;
        if (count == 0)
        {
            _terminalStates++;
            _observer?.OnTerminal(state, CreateTraceFactory(state, id));
            return false;
        }

        if (depth < _maxDepth)
        {
            return true;
        }

        if (!_depthLimitPruned)
        {
            for (int k = 0; k < count; k++)
            {
                ulong fingerprint = FingerprintOf(successors[k].Next, _writer);
                if (_seen.Contains(fingerprint))
                {
                    continue;
                }

                if (!_depthFirst)
                {
                    // Breadth-first stores every state of depth <= limit before expanding the limit level,
                    // so an unseen successor can never be stored later.
                    _depthLimitPruned = true;
                    break;
                }

                (_prunedBeyondDepth ??= new FingerprintSet(64)).Add(fingerprint);
            }
        }

        return false;
    }

    private StoreOutcome TryStore(TState state, int parentId, int ordinal, int depth, out int id)
    {
        id = -1;
        ulong fingerprint = FingerprintOf(state, _writer);
        if (_seen.Count >= _maxStates)
        {
            if (_seen.Contains(fingerprint))
            {
                return StoreOutcome.Duplicate;
            }

            SetBound(BoundKind.MaxStates, $"Stored the limit of {_maxStates} distinct states and found another.");
            return StoreOutcome.Stop;
        }

        if (!_seen.Add(fingerprint))
        {
            return StoreOutcome.Duplicate;
        }

        id = _parents.Count;
        _parents.Add(parentId);
        _ordinals.Add(ordinal);
        if (depth > _maxDepthReached)
        {
            _maxDepthReached = depth;
        }

        if (_violatedInvariant is null && CheckInvariants(state, id, fingerprint) && _stopAtFirstViolation)
        {
            return StoreOutcome.Stop;
        }

        if ((_seen.Count & MemoryCheckMask) == 0 && _maxMemoryBytes != long.MaxValue)
        {
            long heap = GC.GetTotalMemory(false);
            if (heap > _maxMemoryBytes)
            {
                SetBound(BoundKind.MaxMemory, $"The managed heap reached {heap} bytes, over the limit of {_maxMemoryBytes} bytes.");
                return StoreOutcome.Stop;
            }
        }

        return StoreOutcome.Stored;
    }

    /// <summary>Records the first failing invariant, if any; returns true when one failed.</summary>
    private bool CheckInvariants(TState state, int id, ulong fingerprint)
    {
        Invariant<TState>[] invariants = _invariants;
        for (int i = 0; i < invariants.Length; i++)
        {
            string? message = invariants[i].Check(state);
            if (message is not null)
            {
                _violatedInvariant = invariants[i];
                _violationMessage = message;
                _violationTrace = ReconstructTrace(id, fingerprint);
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks cancellation and the timeout, and reports progress when due; true when the run must stop.</summary>
    private bool StopRequested()
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            SetBound(BoundKind.Cancelled, "The exploration was cancelled.");
            return true;
        }

        long now = Stopwatch.GetTimestamp();
        if (now >= _deadline)
        {
            SetBound(BoundKind.Timeout, $"The exploration exceeded its time limit of {_timeout}.");
            return true;
        }

        if (now >= _nextProgress && _observer is not null)
        {
            _nextProgress = AddSaturating(now, _progressTicks);
            _observer.OnProgress(Snapshot());
        }

        return false;
    }

    private Func<Trace<TState, TAction>> CreateTraceFactory(TState state, int id)
    {
        return () => ReconstructTrace(id, FingerprintOf(state, _traceWriter ??= new StateWriter()));
    }

    /// <summary>Rebuilds the path to a stored state by replaying recorded successor ordinals from its initial state.</summary>
    private Trace<TState, TAction> ReconstructTrace(int id, ulong expectedFingerprint)
    {
        GrowableArray<int> ordinals = _traceOrdinals ??= new GrowableArray<int>(64);
        List<Transition<TState, TAction>> successors = _traceSuccessors ??= new List<Transition<TState, TAction>>();
        ordinals.Clear();
        int current = id;
        while (_parents[current] >= 0)
        {
            ordinals.Add(_ordinals[current]);
            current = _parents[current];
        }

        TState initial = _initialStates[_ordinals[current]];
        TState state = initial;
        var steps = new Transition<TState, TAction>[ordinals.Count];
        for (int i = ordinals.Count - 1, step = 0; i >= 0; i--, step++)
        {
            successors.Clear();
            _system.Successors(state, successors);
            int ordinal = ordinals[i];
            if (ordinal >= successors.Count)
            {
                throw new InvalidOperationException(
                    $"Trace replay failed at step {step + 1}: the state now has {successors.Count} successors but successor {ordinal} was recorded. Successors must be deterministic.");
            }

            steps[step] = successors[ordinal];
            state = steps[step].Next;
        }

        successors.Clear();
        if (FingerprintOf(state, _traceWriter ??= new StateWriter()) != expectedFingerprint)
        {
            throw new InvalidOperationException(
                "Trace replay reached a different state than the one explored. Initial states and successors must be deterministic.");
        }

        return new Trace<TState, TAction>(initial, steps);
    }

    private ulong FingerprintOf(TState state, StateWriter writer)
    {
        writer.Reset();
        _encoder.Encode(state, writer);
        return Fingerprint.Of(writer.Written);
    }

    private void SetBound(BoundKind bound, string detail)
    {
        if (_bound is null)
        {
            _bound = bound;
            _boundDetail = detail;
        }
    }

    private CheckResult<TState, TAction> BuildResult()
    {
        if (_bound is null && (_depthLimitPruned || (_prunedBeyondDepth is not null && !_prunedBeyondDepth.IsSubsetOf(_seen))))
        {
            SetBound(BoundKind.MaxDepth, $"Some states at the depth limit of {_maxDepth} have successors that were not explored.");
        }

        ExplorationStats stats = Snapshot();
        if (_violatedInvariant is not null)
        {
            return new Violated<TState, TAction>(stats, _violatedInvariant, _violationMessage!, _violationTrace!);
        }

        if (_bound is BoundKind bound)
        {
            return new Inconclusive<TState, TAction>(stats, bound, _boundDetail);
        }

        return new Verified<TState, TAction>(stats);
    }

    private ExplorationStats Snapshot()
    {
        return new ExplorationStats(
            _seen.Count,
            _transitions,
            _maxDepthReached,
            _terminalStates,
            Stopwatch.GetElapsedTime(_startTimestamp),
            _seen.Bytes);
    }

    private static long ToTimestampTicks(TimeSpan span)
    {
        double ticks = span.TotalSeconds * Stopwatch.Frequency;
        return ticks >= long.MaxValue ? long.MaxValue : (long)ticks;
    }

    private static long AddSaturating(long a, long b)
    {
        return b > long.MaxValue - a ? long.MaxValue : a + b;
    }

    private readonly record struct FrontierEntry(TState State, int Id, int Depth);

    private struct DfsFrame
    {
        public DfsFrame(int id, int depth, int start, int end)
        {
            Id = id;
            Depth = depth;
            Start = start;
            End = end;
            Next = start;
        }

        public int Id { get; }

        public int Depth { get; }

        public int Start { get; }

        public int End { get; }

        public int Next { get; set; }
    }
}
