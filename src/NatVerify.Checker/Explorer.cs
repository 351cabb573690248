using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>The mutable state of one <see cref="ModelChecker{TState, TAction}.Run"/> call.</summary>
/// <remarks>
/// Memory per stored state: one 8-byte slot of the fingerprint table (kept between 35% and 70% full), the trace
/// bookkeeping of <see cref="ParentStore"/> (about 5 bytes breadth-first) and, while it waits, the state itself in
/// the frontier (packed when the encoder implements <see cref="IStatePacker{TState}"/>). No per-state
/// objects are allocated by the engine.
/// </remarks>
internal sealed partial class Explorer<TState, TAction>
{
    private const int MemoryCheckMask = 4096 - 1;

    // Clock, cancellation and progress are looked at once per this many expanded states.
    private const int StopCheckMask = 256 - 1;

    // States generated (and their successors' slots prefetched) before the first of them is committed.
    private const int GroupSize = 16;

    private readonly ITransitionSystem<TState, TAction> _system;
    private readonly ISearchSuccessors<TState, TAction>? _searchSuccessors;
    private readonly IUnlabelledSuccessors<TState, TAction>? _unlabelled;
    private readonly IStateRecycler<TState>? _recycler;
    private readonly IStateEncoder<TState> _encoder;
    private readonly ICompactStateEncoder<TState>? _compact;

    // Non-null only for the single-threaded breadth-first search (see IRunFingerprinter for why only there): every
    // fingerprint of the run hashes the encoder's own numbering, computed together with the packed form.
    private readonly IRunFingerprinter<TState>? _run;
    private readonly IIndependence<TState, TAction>? _independence;
    private readonly IStepFootprints<TState, TAction>? _footprints;
    private readonly IProcessSuccessors<TState, TAction>? _lazy;
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
    private readonly int _workers;

    // One table, or with two workers one per half of the fingerprint space (split on the top bit).
    // Allocated in Run, so that a failed allocation of a pre-sized table ends as a MaxMemory bound.
    private readonly int _initialCapacity;
    private FingerprintSet[] _sets = [];

    // Only the compact path can produce fingerprint 0 (Fingerprint.Mix has one preimage of 0); it is kept aside.
    private bool _zeroStored;
    private int _stored;

    private readonly ParentStore _parents;

    // Sleep sets (null when off) and why they are off; a state expanded again gets a second id (an alias) whose
    // parent is the state that shrank its sleep set, so ids still follow the frontier and traces still replay.
    private readonly SleepSets<TState, TAction>? _sleep;
    private readonly string? _sleepNote;
    private int _aliases;
    private readonly Expansion<TState, TAction> _main = new();

    private IReadOnlyList<TState> _initialStates = Array.Empty<TState>();
    private long _startTimestamp;
    private long _deadline;
    private long _nextProgress;
    private long _transitions;
    private int _maxDepthReached;
    private long _terminalStates;
    private long _reducedExpansions;
    private long _peakFrontier;
    private long _peakFrontierBytes;

    // Per invariant (by index): the message, counterexample and its length, once a state violating it was stored.
    // Every invariant is evaluated in every stored state (TLC's -continue), so each keeps its own shortest trace.
    private readonly string?[] _violationMessages;
    private readonly Trace<TState, TAction>?[] _violationTraces;
    private readonly int[] _violationDepths;

    // The invariant whose violation was recorded first (the run's headline violation), or -1.
    private int _firstViolated = -1;

    private BoundKind? _bound;
    private string _boundDetail = string.Empty;

    // Breadth-first: set as soon as a state at the depth limit has an unseen successor.
    private bool _depthLimitPruned;

    // Depth-first: unseen successors of depth-limit states; a later shorter path may still store them.
    private FingerprintSet? _prunedBeyondDepth;
    private bool _prunedZero;

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
        _searchSuccessors = system as ISearchSuccessors<TState, TAction>;
        _encoder = encoder;
        _compact = encoder as ICompactStateEncoder<TState>;
        _footprints = options.PartialOrderReduction ? system as IStepFootprints<TState, TAction> : null;
        _independence = options.PartialOrderReduction && _footprints is null ? system as IIndependence<TState, TAction> : null;
        _lazy = options.LazyReduction ? _footprints as IProcessSuccessors<TState, TAction> : null;
        _invariants = invariants;
        _violationMessages = new string?[invariants.Length];
        _violationTraces = new Trace<TState, TAction>?[invariants.Length];
        _violationDepths = new int[invariants.Length];
        _observer = observer;
        _cancellationToken = cancellationToken;
        _depthFirst = options.Order == SearchOrder.DepthFirst;
        _stopAtFirstViolation = options.StopAtFirstViolation;
        _maxStates = options.MaxStates ?? long.MaxValue;
        _maxDepth = options.MaxDepth ?? int.MaxValue;
        _maxMemoryBytes = options.MaxMemoryBytes ?? long.MaxValue;
        _timeout = options.Timeout ?? TimeSpan.MaxValue;
        _progressTicks = ToTimestampTicks(options.ProgressInterval);
        _workers = _depthFirst ? 1 : options.Workers;
        _parents = new ParentStore(consecutiveChildren: !_depthFirst);
        _run = _compact is null && !_depthFirst && _workers == 1 && encoder is IRunFingerprinter<TState> { FingerprintsByNumbering: true } run ? run : null;
        _sleep = SleepSets<TState, TAction>.Create(options, system, _workers, _depthFirst ? 1 : GroupSize, out _sleepNote);

        // Only reduction and sleep sets read a step's label; without them the search records ordinals, and traces are
        // rebuilt with labels. States are transient only where the queue holds packed bytes (_run).
        bool readsLabels = _footprints is not null || _independence is not null || _sleep is not null;
        _unlabelled = readsLabels ? null : system as IUnlabelledSuccessors<TState, TAction>;
        _recycler = readsLabels || _run is null ? null : system as IStateRecycler<TState>;

        // Size the table(s) so that the expected states fill at most 70%.
        long expected = options.ExpectedStates ?? 0;
        long perTable = Math.Max(1L << 12, (expected / _workers * 10 / 7) + 1);
        _initialCapacity = (int)Math.Min(perTable, FingerprintSet.MaxCapacity);
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
            var sets = new FingerprintSet[_workers];
            for (int i = 0; i < sets.Length; i++)
            {
                sets[i] = new FingerprintSet(_initialCapacity);
            }

            _sets = sets;
            if (!StopRequested())
            {
                _initialStates = _system.InitialStates;
                if (_depthFirst)
                {
                    RunDepthFirst();
                }
                else if (_workers > 1)
                {
                    RunParallelBreadthFirst();
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunBreadthFirst()
    {
        // Ids are handed out in breadth-first order and states are expanded in id order, so the frontier needs
        // no ids or depths: the next state dequeued has id expandId, and a level ends where the next one began.
        // States are taken in small groups: all successors of a group are generated and their table slots
        // prefetched before the group is committed state by state, in exactly the order of a one-at-a-time search.
        var frontier = new Frontier<TState>(_encoder);
        try
        {
            if (!StoreInitialStates(frontier))
            {
                return;
            }

            var group = new Expansion<TState, TAction>[GroupSize];
            var states = new TState[GroupSize];
            var expanded = new bool[GroupSize];
            group[0] = _main;
            for (int g = 1; g < GroupSize; g++)
            {
                group[g] = new Expansion<TState, TAction>();
            }

            int expandId = 0;
            int depth = 0;
            int levelEnd = _stored;
            int nextStopCheck = 0;
            while (frontier.Count > 0)
            {
                if (expandId >= nextStopCheck)
                {
                    nextStopCheck = expandId + StopCheckMask + 1;
                    if (StopRequested())
                    {
                        return;
                    }
                }

                int n = (int)Math.Min(GroupSize, frontier.Count);
                for (int g = 0; g < n; g++)
                {
                    frontier.TryDequeue(out states[g]);
                    ulong sleep = _sleep?.DequeueForExpansion() ?? 0;
                    expanded[g] = Generate(states[g], group[g]);
                    if (expanded[g] && _sleep is not null)
                    {
                        _sleep.Filter(states[g], group[g], g, sleep);
                    }

                    if (expanded[g])
                    {
                        FingerprintAndPrefetch(group[g]);
                    }
                }

                for (int g = 0; g < n; g++)
                {
                    if (expandId == levelEnd)
                    {
                        depth++;
                        levelEnd = _stored;
                    }

                    int id = expandId++;
                    Expansion<TState, TAction> x = group[g];
                    if (!Account(states[g], id, depth, x, expanded[g]))
                    {
                        continue;
                    }

                    int count = x.SelectedCount;
                    List<Transition<TState, TAction>> successors = x.Successors;
                    ulong[] fingerprints = x.Fingerprints;
                    for (int j = 0; j < count; j++)
                    {
                        int k = x.IndexOf(j);
                        TState next = successors[k].Next;
                        StoreOutcome outcome = TryStore(next, fingerprints[j], id, k, depth + 1);
                        if (outcome == StoreOutcome.Stop)
                        {
                            return;
                        }

                        if (outcome == StoreOutcome.Stored)
                        {
                            Enqueue(frontier, x, j, next);
                            _sleep?.Queued(fingerprints[j], _sleep.ChildSleep(g, j));
                        }
                        else if (_sleep is not null && _sleep.Revisit(fingerprints[j], _sleep.ChildSleep(g, j)))
                        {
                            StoreAlias(id, k);
                            Enqueue(frontier, x, j, next);
                            _sleep.Requeued(fingerprints[j]);
                        }
                    }
                }

                if (_recycler is not null)
                {
                    RecycleGroup(group, states, expanded, n);
                }

                if (RuntimeHelpers.IsReferenceOrContainsReferences<TState>())
                {
                    Array.Clear(states);
                }
            }
        }
        finally
        {
            _peakFrontier = Math.Max(_peakFrontier, frontier.Peak);
            _peakFrontierBytes = Math.Max(_peakFrontierBytes, frontier.PeakBytes);
        }
    }

    /// <summary>
    /// Hands a committed group's states back to the system (<see cref="IStateRecycler{TState}"/>): every successor was
    /// packed, stored or found a duplicate, and checked, and every expanded parent was unpacked for this group alone, so
    /// nothing of the search refers to them. A terminal parent went to the observer, which may keep it.
    /// </summary>
    private void RecycleGroup(Expansion<TState, TAction>[] group, TState[] states, bool[] expanded, int n)
    {
        IStateRecycler<TState> recycler = _recycler!;
        for (int g = 0; g < n; g++)
        {
            if (!expanded[g])
            {
                continue;
            }

            List<Transition<TState, TAction>> successors = group[g].Successors;
            for (int k = 0; k < successors.Count; k++)
            {
                recycler.Recycle(successors[k].Next);
            }

            successors.Clear();
            recycler.Recycle(states[g]);
        }
    }

    /// <summary>
    /// Fingerprints the kept successors and prefetches their table slots, so the lookups that follow overlap their
    /// memory latency (the table is far larger than the caches and is probed at random).
    /// </summary>
    private ulong[] FingerprintAndPrefetch(Expansion<TState, TAction> x)
    {
        int count = x.SelectedCount;
        x.EnsureCapacity(count);
        ulong[] fingerprints = x.Fingerprints;
        List<Transition<TState, TAction>> successors = x.Successors;
        if (_run is not null)
        {
            // Packed here, while the numbering of the parent just unpacked is at hand; the new ones are queued from these bytes.
            StateWriter packed = x.Packed;
            packed.Reset();
            int[] ends = x.PackedEnds;
            for (int j = 0; j < count; j++)
            {
                ulong fingerprint = _run.RunFingerprint(successors[x.IndexOf(j)].Next, packed);
                ends[j] = packed.Length;
                fingerprints[j] = fingerprint;
                _sets[0].Prefetch(fingerprint);
            }

            return fingerprints;
        }

        for (int j = 0; j < count; j++)
        {
            ulong fingerprint = FingerprintOf(successors[x.IndexOf(j)].Next, x.Writer);
            fingerprints[j] = fingerprint;
            _sets[PartitionOf(fingerprint)].Prefetch(fingerprint);
        }

        return fingerprints;
    }

    /// <summary>Queues a newly stored successor: its bytes packed while fingerprinting, or the state itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enqueue(Frontier<TState> frontier, Expansion<TState, TAction> x, int j, TState next)
    {
        if (_run is not null)
        {
            frontier.EnqueuePacked(x.PackedSuccessor(j));
        }
        else
        {
            frontier.Enqueue(next);
        }
    }

    /// <summary>Stores and enqueues the initial states; false when the run must stop.</summary>
    private bool StoreInitialStates(Frontier<TState> frontier)
    {
        IReadOnlyList<TState> initialStates = _initialStates;
        for (int i = 0; i < initialStates.Count; i++)
        {
            TState initial = initialStates[i];
            ulong fingerprint = FingerprintOf(initial, _main.Writer);
            StoreOutcome outcome = TryStore(initial, fingerprint, -1, i, 0);
            if (outcome == StoreOutcome.Stop)
            {
                return false;
            }

            if (outcome == StoreOutcome.Stored)
            {
                if (_run is not null)
                {
                    // FingerprintOf left the packed form in the writer (TryStore does not write to it).
                    frontier.EnqueuePacked(_main.Writer.Written);
                }
                else
                {
                    frontier.Enqueue(initial);
                }

                _sleep?.Queued(fingerprint, 0);
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunDepthFirst()
    {
        // The kept successors of all frames on the stack live in one flat buffer, so the stack path is the trace
        // and no per-state list is allocated.
        var stack = new GrowableArray<DfsFrame>(64);
        var pending = new GrowableArray<PendingStep>(256);
        IReadOnlyList<TState> initialStates = _initialStates;
        for (int i = 0; i < initialStates.Count; i++)
        {
            TState initial = initialStates[i];
            StoreOutcome outcome = TryStore(initial, FingerprintOf(initial, _main.Writer), -1, i, 0);
            if (outcome == StoreOutcome.Stop)
            {
                return;
            }

            if (outcome == StoreOutcome.Duplicate || !Push(stack, pending, initial, _stored - 1, 0, 0))
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
                int parentId = top.Id;
                int depth = top.Depth + 1;
                PendingStep step = pending[index];
                ulong fingerprint = FingerprintOf(step.Next, _main.Writer);
                StoreOutcome nextOutcome = TryStore(step.Next, fingerprint, parentId, step.Ordinal, depth);
                if (nextOutcome == StoreOutcome.Stop)
                {
                    return;
                }

                ulong sleep = 0;
                if (_sleep is not null)
                {
                    if (nextOutcome == StoreOutcome.Stored)
                    {
                        _sleep.Stored(fingerprint, step.Sleep);
                    }
                    else if (_sleep.Revisit(fingerprint, step.Sleep))
                    {
                        StoreAlias(parentId, step.Ordinal);
                        nextOutcome = StoreOutcome.Stored;
                    }

                    if (nextOutcome == StoreOutcome.Stored)
                    {
                        sleep = _sleep.BeginExpansion(fingerprint);
                    }
                }

                if (nextOutcome == StoreOutcome.Stored && !Push(stack, pending, step.Next, _stored - 1, depth, sleep) && _bound is not null)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Expands a state and pushes a frame when it has successors to descend into; false when nothing was pushed.</summary>
    private bool Push(
        GrowableArray<DfsFrame> stack,
        GrowableArray<PendingStep> pending,
        TState state,
        int id,
        int depth,
        ulong sleep)
    {
        if ((id & StopCheckMask) == 0 && StopRequested())
        {
            return false;
        }

        Expansion<TState, TAction> x = _main;
        bool hasSuccessors = Generate(state, x);
        if (hasSuccessors && _sleep is not null)
        {
            _sleep.Filter(state, x, 0, sleep);
        }

        if (!Account(state, id, depth, x, hasSuccessors))
        {
            return false;
        }

        List<Transition<TState, TAction>> successors = x.Successors;
        int start = pending.Count;
        for (int j = 0; j < x.SelectedCount; j++)
        {
            int k = x.IndexOf(j);
            pending.Add(new PendingStep(successors[k].Next, k, _sleep?.ChildSleep(0, j) ?? 0));
        }

        stack.Add(new DfsFrame(id, depth, start, pending.Count));
        _peakFrontier = Math.Max(_peakFrontier, stack.Count);
        return true;
    }

    /// <summary>
    /// Counts transitions and terminal states of a state whose successors were already generated (and filtered), and
    /// handles the depth limit. Returns true when the kept successors should be stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Account(TState state, int id, int depth, Expansion<TState, TAction> x, bool hasSuccessors)
    {
        if (!hasSuccessors)
        {
            _terminalStates++;
            _observer?.OnTerminal(state, CreateTraceFactory(state, id));
            return false;
        }

        _transitions += x.SelectedCount;
        if (!x.All)
        {
            _reducedExpansions++;
        }

        if (depth < _maxDepth)
        {
            return true;
        }

        if (!_depthLimitPruned)
        {
            for (int j = 0; j < x.SelectedCount; j++)
            {
                ulong fingerprint = FingerprintOf(x.Successors[x.IndexOf(j)].Next, x.Writer);
                if (ContainsFingerprint(fingerprint))
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

                if (fingerprint == 0)
                {
                    _prunedZero = true;
                }
                else
                {
                    (_prunedBeyondDepth ??= new FingerprintSet(64)).Add(fingerprint);
                }
            }
        }

        return false;
    }

    /// <summary>Computes the successors and the subset to keep; false when the state is terminal. Thread-safe per expansion object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Generate(TState state, Expansion<TState, TAction> x)
    {
        if (_lazy is not null)
        {
            return GenerateLazy(state, x);
        }

        List<Transition<TState, TAction>> successors = x.Successors;
        successors.Clear();
        if (_unlabelled is not null)
        {
            _unlabelled.UnlabelledSuccessors(state, successors);
        }
        else if (_searchSuccessors is not null)
        {
            _searchSuccessors.SearchSuccessors(state, successors);
        }
        else
        {
            _system.Successors(state, successors);
        }

        int count = successors.Count;
        x.All = true;
        x.SelectedCount = count;
        if (count == 0)
        {
            return false;
        }

        if (_footprints is not null && count > 1)
        {
            SelectStubborn(state, x);
        }
        else if (_independence is not null && count > 1)
        {
            SelectPersistent(state, x);
        }

        return true;
    }

    /// <summary>
    /// Partial-order reduction: keeps only the steps of one process when they form a persistent set of invisible,
    /// progress-making steps (see <see cref="IIndependence{TState, TAction}"/>); processes with fewer steps are tried first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SelectPersistent(TState state, Expansion<TState, TAction> x)
    {
        IIndependence<TState, TAction> independence = _independence!;
        List<Transition<TState, TAction>> successors = x.Successors;
        int count = successors.Count;
        x.EnsureCapacity(count);
        int[] processes = x.Processes;
        int[] distinct = x.Distinct;
        int[] counts = x.DistinctCounts;
        int distinctCount = 0;
        for (int k = 0; k < count; k++)
        {
            int process = independence.ProcessOf(successors[k].Action);
            processes[k] = process;
            int d = 0;
            while (d < distinctCount && distinct[d] != process)
            {
                d++;
            }

            if (d == distinctCount)
            {
                distinct[distinctCount] = process;
                counts[distinctCount++] = 1;
            }
            else
            {
                counts[d]++;
            }
        }

        if (distinctCount < 2)
        {
            return;
        }

        long progress = 0;
        bool progressKnown = false;
        int processCount = independence.ProcessCount;
        for (int attempt = 0; attempt < distinctCount; attempt++)
        {
            // The untried process with the fewest steps (earliest first on ties); tried ones are marked with -1.
            int best = -1;
            for (int d = 0; d < distinctCount; d++)
            {
                if (counts[d] > 0 && (best < 0 || counts[d] < counts[best]))
                {
                    best = d;
                }
            }

            int candidate = distinct[best];
            int size = counts[best];
            counts[best] = -1;
            if (!IsPersistent(state, x, candidate, processCount, ref progress, ref progressKnown))
            {
                continue;
            }

            int[] selected = x.Selected;
            int n = 0;
            for (int k = 0; k < count; k++)
            {
                if (processes[k] == candidate)
                {
                    selected[n++] = k;
                }
            }

            x.All = false;
            x.SelectedCount = size;
            return;
        }
    }

    /// <summary>
    /// Footprint-based partial-order reduction (see <see cref="IStepFootprints{TState, TAction}"/>): grows a set of
    /// processes from each process in turn, adding every process whose future footprint conflicts with the set's
    /// enabled steps, and keeps the smallest set that is not all processes and whose steps are invisible and make progress.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SelectStubborn(TState state, Expansion<TState, TAction> x)
    {
        IStepFootprints<TState, TAction> footprints = _footprints!;
        List<Transition<TState, TAction>> successors = x.Successors;
        int count = successors.Count;
        int processCount = footprints.ProcessCount;
        x.EnsureCapacity(count);
        x.EnsureProcesses(processCount, count);
        int[] processes = x.Processes;
        int[] distinct = x.Distinct;
        int[] counts = x.DistinctCounts;
        int[] distinctOf = x.DistinctOf;
        Array.Fill(distinctOf, -1, 0, processCount);
        int distinctCount = 0;
        for (int k = 0; k < count; k++)
        {
            int process = footprints.ProcessOf(successors[k].Action);
            processes[k] = process;
            int d = distinctOf[process];
            if (d < 0)
            {
                d = distinctCount++;
                distinctOf[process] = d;
                distinct[d] = process;
                counts[d] = 0;
                x.StepFootprints[d].Clear();
                x.Usable[d] = 0;
            }

            counts[d]++;
        }

        if (distinctCount < 2)
        {
            return;
        }

        for (int k = 0; k < count; k++)
        {
            footprints.StepFootprint(state, successors[k].Action, x.StepFootprints[distinctOf[processes[k]]]);
        }

        // Futures are computed at most once per state and process; the stamp marks which are current.
        int stamp = ++x.Stamp;
        if (stamp == int.MaxValue)
        {
            Array.Clear(x.FutureStamp);
            x.Stamp = stamp = 1;
        }

        long progress = 0;
        bool progressKnown = false;
        int bestSize = count;
        bool[] member = x.Member;
        bool[] best = x.Best;
        for (int start = 0; start < distinctCount; start++)
        {
            if (counts[start] >= bestSize || !IsUsable(state, x, start, ref progress, ref progressKnown))
            {
                continue;
            }

            Array.Clear(member, 0, distinctCount);
            member[start] = true;
            Footprint accumulated = x.Accumulated;
            accumulated.Clear();
            accumulated.Add(x.StepFootprints[start]);
            int size = counts[start];
            bool failed = false;
            for (int q = 0; q < processCount && !failed; q++)
            {
                int dq = distinctOf[q];
                if (dq >= 0 && member[dq])
                {
                    continue;
                }

                if (x.FutureStamp[q] != stamp)
                {
                    x.Futures[q].Clear();
                    footprints.FutureFootprint(state, q, x.Futures[q]);
                    x.FutureStamp[q] = stamp;
                }

                if (!accumulated.ConflictsWith(x.Futures[q]))
                {
                    continue;
                }

                // q may interfere with the set: it must join it, which needs enabled, usable steps.
                if (dq < 0 || !IsUsable(state, x, dq, ref progress, ref progressKnown))
                {
                    failed = true;
                    break;
                }

                member[dq] = true;
                accumulated.Add(x.StepFootprints[dq]);
                size += counts[dq];
                if (size >= bestSize)
                {
                    failed = true;
                    break;
                }

                // The set's footprint grew: every outsider is checked again.
                q = -1;
            }

            if (!failed)
            {
                bestSize = size;
                Array.Copy(member, best, distinctCount);
            }
        }

        if (bestSize == count)
        {
            return;
        }

        int[] selected = x.Selected;
        int n = 0;
        for (int k = 0; k < count; k++)
        {
            if (best[distinctOf[processes[k]]])
            {
                selected[n++] = k;
            }
        }

        x.All = false;
        x.SelectedCount = n;
    }

    /// <summary>Whether a distinct process's enabled steps are all invisible and all increase the progress measure (memoised per state).</summary>
    private bool IsUsable(TState state, Expansion<TState, TAction> x, int d, ref long progress, ref bool progressKnown)
    {
        if (x.Usable[d] != 0)
        {
            return x.Usable[d] == 1;
        }

        IStepFootprints<TState, TAction> footprints = _footprints!;
        List<Transition<TState, TAction>> successors = x.Successors;
        int process = x.Distinct[d];
        bool usable = true;
        for (int k = 0; k < successors.Count && usable; k++)
        {
            if (x.Processes[k] != process)
            {
                continue;
            }

            if (footprints.IsVisible(state, successors[k].Action))
            {
                usable = false;
                break;
            }

            if (!progressKnown)
            {
                progress = footprints.Progress(state);
                progressKnown = true;
            }

            usable = footprints.Progress(successors[k].Next) > progress;
        }

        x.Usable[d] = usable ? (byte)1 : (byte)2;
        return usable;
    }

    private bool IsPersistent(TState state, Expansion<TState, TAction> x, int candidate, int processCount, ref long progress, ref bool progressKnown)
    {
        IIndependence<TState, TAction> independence = _independence!;
        List<Transition<TState, TAction>> successors = x.Successors;
        int[] processes = x.Processes;
        for (int k = 0; k < successors.Count; k++)
        {
            if (processes[k] == candidate && independence.IsVisible(state, successors[k].Action))
            {
                return false;
            }
        }

        for (int other = 0; other < processCount; other++)
        {
            if (other != candidate && !independence.CommutesWithFutureOf(state, candidate, other))
            {
                return false;
            }
        }

        if (!progressKnown)
        {
            progress = independence.Progress(state);
            progressKnown = true;
        }

        for (int k = 0; k < successors.Count; k++)
        {
            if (processes[k] == candidate && independence.Progress(successors[k].Next) <= progress)
            {
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StoreOutcome TryStore(TState state, ulong fingerprint, int parentId, int ordinal, int depth)
    {
        if (_stored - _aliases >= _maxStates)
        {
            if (ContainsFingerprint(fingerprint))
            {
                return StoreOutcome.Duplicate;
            }

            SetBound(BoundKind.MaxStates, $"Stored the limit of {_maxStates} distinct states and found another.");
            return StoreOutcome.Stop;
        }

        if (!AddFingerprint(fingerprint))
        {
            return StoreOutcome.Duplicate;
        }

        int id = _stored++;
        if (parentId < 0)
        {
            _parents.AddRoot(ordinal);
        }
        else
        {
            _parents.AddChild(parentId, ordinal);
        }

        if (depth > _maxDepthReached)
        {
            _maxDepthReached = depth;
        }

        if (_invariants.Length > 0 && CheckInvariants(state, id, fingerprint, depth) && _stopAtFirstViolation)
        {
            return StoreOutcome.Stop;
        }

        if ((_stored & MemoryCheckMask) == 0 && _maxMemoryBytes != long.MaxValue && MemoryExceeded())
        {
            return StoreOutcome.Stop;
        }

        return StoreOutcome.Stored;
    }

    /// <summary>
    /// Gives a stored state that sleep sets expand again a second id, reached from <paramref name="parentId"/> by
    /// successor <paramref name="ordinal"/>: no new state, no invariant check, only a trace link for its new successors.
    /// </summary>
    private void StoreAlias(int parentId, int ordinal)
    {
        _stored++;
        _aliases++;
        _parents.AddChild(parentId, ordinal);
    }

    private bool MemoryExceeded()
    {
        long resident = ProcessMemory.ResidentBytes();
        if (resident > _maxMemoryBytes)
        {
            SetBound(BoundKind.MaxMemory, $"The process's resident memory reached {resident / (1024 * 1024)} MiB, over the memory bound of {_maxMemoryBytes / (1024 * 1024)} MiB.");
            return true;
        }

        return false;
    }

    /// <summary>
    /// Evaluates every invariant in a newly stored state and records each failing one whose counterexample is new or
    /// shorter than the one kept (depth-first search can reach a violation by a long path first); true when any failed.
    /// </summary>
    private bool CheckInvariants(TState state, int id, ulong fingerprint, int depth)
    {
        Invariant<TState>[] invariants = _invariants;
        bool failed = false;
        Trace<TState, TAction>? trace = null;
        for (int i = 0; i < invariants.Length; i++)
        {
            string? message = invariants[i].Check(state);
            if (message is null)
            {
                continue;
            }

            failed = true;
            if (_violationTraces[i] is null || depth < _violationDepths[i])
            {
                trace ??= ReconstructTrace(id, fingerprint);
                RecordViolation(i, message, trace, depth);
            }
        }

        return failed;
    }

    private void RecordViolation(int invariant, string message, Trace<TState, TAction> trace, int depth)
    {
        _violationMessages[invariant] = message;
        _violationTraces[invariant] = trace;
        _violationDepths[invariant] = depth;
        if (_firstViolated < 0)
        {
            _firstViolated = invariant;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AddFingerprint(ulong fingerprint)
    {
        if (fingerprint == 0)
        {
            if (_zeroStored)
            {
                return false;
            }

            _zeroStored = true;
            return true;
        }

        return _sets[PartitionOf(fingerprint)].Add(fingerprint);
    }

    private bool ContainsFingerprint(ulong fingerprint) =>
        fingerprint == 0 ? _zeroStored : _sets[PartitionOf(fingerprint)].Contains(fingerprint);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PartitionOf(ulong fingerprint) => _workers == 1 ? 0 : (int)(fingerprint >> 63);

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
        (int Parent, int Ordinal) link = _parents.Lookup(current);
        while (link.Parent >= 0)
        {
            ordinals.Add(link.Ordinal);
            current = link.Parent;
            link = _parents.Lookup(current);
        }

        TState initial = _initialStates[link.Ordinal];
        TState state = initial;
        var steps = new Transition<TState, TAction>[ordinals.Count];
        for (int i = ordinals.Count - 1, step = 0; i >= 0; i--, step++)
        {
            successors.Clear();
            _system.Successors(state, successors);
            int ordinal = _lazy is null ? ordinals[i] : FullOrdinal(state, ordinals[i], successors);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong FingerprintOf(TState state, StateWriter writer)
    {
        if (_run is not null)
        {
            writer.Reset();
            return _run.RunFingerprint(state, writer);
        }

        if (_compact is not null)
        {
            return Fingerprint.Mix(_compact.EncodeCompact(state));
        }

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
        if (_bound is null && (_depthLimitPruned || !PrunedStatesWereStored()))
        {
            SetBound(BoundKind.MaxDepth, $"Some states at the depth limit of {_maxDepth} have successors that were not explored.");
        }

        ExplorationStats stats = Snapshot();
        if (_firstViolated >= 0)
        {
            var violations = new List<PropertyViolation<TState, TAction>>();
            for (int i = 0; i < _invariants.Length; i++)
            {
                if (_violationTraces[i] is { } trace)
                {
                    violations.Add(new PropertyViolation<TState, TAction>(_invariants[i], _violationMessages[i]!, trace));
                }
            }

            int first = _firstViolated;
            return new Violated<TState, TAction>(stats, _invariants[first], _violationMessages[first]!, _violationTraces[first]!)
            {
                Violations = violations,
            };
        }

        if (_bound is BoundKind bound)
        {
            return new Inconclusive<TState, TAction>(stats, bound, _boundDetail);
        }

        return new Verified<TState, TAction>(stats);
    }

    /// <summary>Depth-first only (one table): whether every successor pruned at the depth limit was stored after all.</summary>
    private bool PrunedStatesWereStored() =>
        (!_prunedZero || _zeroStored) && (_prunedBeyondDepth is null || (_sets.Length > 0 && _prunedBeyondDepth.IsSubsetOf(_sets[0])));

    private ExplorationStats Snapshot()
    {
        long tableBytes = 0;
        foreach (FingerprintSet set in _sets)
        {
            tableBytes += set.Bytes;
        }

        return new ExplorationStats(
            _stored - _aliases,
            _transitions,
            _maxDepthReached,
            _terminalStates,
            Stopwatch.GetElapsedTime(_startTimestamp),
            tableBytes)
        {
            ExactStates = _compact is not null,
            RunFingerprints = _run is not null,
            ParentBytes = _parents.Bytes,
            PeakFrontier = _peakFrontier,
            PeakFrontierBytes = _peakFrontierBytes,
            ReducedExpansions = _reducedExpansions,
            Workers = _workers,
            SleepSets = _sleepNote,
            SleepSetPrunedSteps = _sleep?.Pruned ?? 0,
            SleepSetReexpansions = _sleep?.Reexpansions ?? 0,
            SleepSetBytes = _sleep?.Bytes ?? 0,
        };
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

    private readonly record struct PendingStep(TState Next, int Ordinal, ulong Sleep);

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
