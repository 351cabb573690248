namespace NatVerify.Checker;

/// <summary>Breadth-first search on two threads with results identical to the single-threaded search.</summary>
/// <remarks>
/// The frontier is processed in batches of states of one level. Per batch: (1) both threads generate successors,
/// apply the reduction and fingerprint the kept successors, each into its own buffer; (2) each thread inserts the
/// fingerprints of its half of the fingerprint space (top bit) into its own table, scanning the batch in order,
/// so the first occurrence of a state wins exactly as in the sequential search and no locks are needed;
/// (3) the calling thread assigns ids in batch order and enqueues the new states; (4) both threads check the
/// invariants of the new states; (5) the calling thread reports terminal states and counts in batch order, cut
/// at the same point where the sequential search would have stopped (first violation or the state limit).
/// Cancellation, timeout and the memory limit are checked once per batch.
/// </remarks>
internal sealed partial class Explorer<TState, TAction>
{
    private const int BatchSize = 1 << 13;
    private const int BlockSize = 64;
    private const int PrefetchDistance = 16;

    private void RunParallelBreadthFirst()
    {
        var frontier = new Frontier<TState>(_encoder);
        try
        {
            if (!StoreInitialStates(frontier))
            {
                return;
            }

            using var parallel = new ParallelRun(this);
            parallel.Run(frontier);
        }
        finally
        {
            _peakFrontier = Math.Max(_peakFrontier, frontier.Peak);
            _peakFrontierBytes = Math.Max(_peakFrontierBytes, frontier.PeakBytes);
        }
    }

    private enum Phase
    {
        Generate,
        Insert,
        CheckInvariants,
        Exit,
    }

    /// <summary>What one thread produced for one batch state.</summary>
    private struct BatchResult
    {
        public int Worker;
        public int Start;
        public int Count;
        public bool Terminal;
        public bool Reduced;
    }

    /// <summary>A thread's successor buffer for the current batch.</summary>
    private sealed class WorkerBuffer
    {
        public Expansion<TState, TAction> Expansion { get; } = new();

        public TState[] Next { get; private set; } = new TState[1024];

        public ulong[] Fingerprints { get; private set; } = new ulong[1024];

        public int[] Ordinals { get; private set; } = new int[1024];

        public bool[] IsNew { get; private set; } = new bool[1024];

        public int Count { get; set; }

        public Exception? Error { get; set; }

        // Phase 4, per invariant: the lowest index (into the batch's new states) this thread saw violate it, or
        // int.MaxValue, with the message. Sized once per run: no allocation per state or batch.
        public int[] ViolationIndex { get; set; } = [];

        public string?[] ViolationMessage { get; set; } = [];

        public void Add(TState next, ulong fingerprint, int ordinal)
        {
            if (Count == Next.Length)
            {
                int size = Count * 2;
                Next = Resize(Next, size);
                Fingerprints = Resize(Fingerprints, size);
                Ordinals = Resize(Ordinals, size);
                IsNew = Resize(IsNew, size);
            }

            Next[Count] = next;
            Fingerprints[Count] = fingerprint;
            Ordinals[Count] = ordinal;
            Count++;
        }

        private static T[] Resize<T>(T[] array, int size)
        {
            Array.Resize(ref array, size);
            return array;
        }
    }

    /// <summary>The two threads and the batch they share.</summary>
    private sealed class ParallelRun : IDisposable
    {
        private readonly Explorer<TState, TAction> _explorer;
        private readonly Barrier _barrier = new(2);
        private readonly Thread _thread;
        private readonly WorkerBuffer[] _buffers = [new WorkerBuffer(), new WorkerBuffer()];
        private readonly TState[] _batch = new TState[BatchSize];
        private readonly BatchResult[] _results = new BatchResult[BatchSize];
        private TState[] _newStates = new TState[BatchSize];
        private int _batchCount;
        private int _batchDepth;
        private int _newCount;
        private int _nextBlock;
        private Phase _phase;

        public ParallelRun(Explorer<TState, TAction> explorer)
        {
            _explorer = explorer;
            _thread = new Thread(WorkerLoop) { IsBackground = true, Name = "natverify-checker-worker" };
            _thread.Start();
        }

        public void Run(Frontier<TState> frontier)
        {
            Explorer<TState, TAction> e = _explorer;
            int expandId = 0;
            int depth = 0;
            int levelEnd = e._stored;
            while (frontier.Count > 0)
            {
                if (expandId == levelEnd)
                {
                    depth++;
                    levelEnd = e._stored;
                }

                if (e.StopRequested())
                {
                    return;
                }

                // A batch never crosses a level, so every child it stores has depth + 1.
                int baseId = expandId;
                int count = (int)Math.Min(Math.Min(BatchSize, frontier.Count), levelEnd - expandId);
                for (int b = 0; b < count; b++)
                {
                    frontier.TryDequeue(out _batch[b]);
                }

                expandId += count;
                _batchCount = count;
                _batchDepth = depth;
                _buffers[0].Count = 0;
                _buffers[1].Count = 0;
                RunPhase(Phase.Generate);
                RunPhase(Phase.Insert);
                if (!Commit(baseId, frontier))
                {
                    return;
                }

                if (e._maxMemoryBytes != long.MaxValue && e.MemoryExceeded())
                {
                    return;
                }
            }
        }

        public void Dispose()
        {
            _phase = Phase.Exit;
            _barrier.SignalAndWait();
            _thread.Join();
            _barrier.Dispose();
        }

        /// <summary>Phases 3 to 5; false when the run must stop.</summary>
        private bool Commit(int baseId, Frontier<TState> frontier)
        {
            Explorer<TState, TAction> e = _explorer;
            bool atDepthLimit = _batchDepth >= e._maxDepth;
            int cut = _batchCount - 1;
            bool stop = false;
            int firstNewId = e._stored;
            _newCount = 0;
            for (int b = 0; b < _batchCount && !stop; b++)
            {
                BatchResult r = _results[b];
                WorkerBuffer buffer = _buffers[r.Worker];
                for (int i = r.Start; i < r.Start + r.Count; i++)
                {
                    if (!buffer.IsNew[i])
                    {
                        continue;
                    }

                    if (atDepthLimit)
                    {
                        e._depthLimitPruned = true;
                        break;
                    }

                    if (e._stored >= e._maxStates)
                    {
                        e.SetBound(BoundKind.MaxStates, $"Stored the limit of {e._maxStates} distinct states and found another.");
                        cut = b;
                        stop = true;
                        break;
                    }

                    e._stored++;
                    e._parents.AddChild(baseId + b, buffer.Ordinals[i]);
                    if (_newCount == _newStates.Length)
                    {
                        Array.Resize(ref _newStates, _newCount * 2);
                    }

                    _newStates[_newCount++] = buffer.Next[i];
                }
            }

            if (_newCount > 0)
            {
                e._maxDepthReached = Math.Max(e._maxDepthReached, _batchDepth + 1);
            }

            if (_newCount > 0 && e._invariants.Length > 0)
            {
                RunPhase(Phase.CheckInvariants);
                int firstIndex = int.MaxValue;
                for (int j = 0; j < e._invariants.Length; j++)
                {
                    foreach (WorkerBuffer buffer in _buffers)
                    {
                        firstIndex = Math.Min(firstIndex, buffer.ViolationIndex[j]);
                    }
                }

                if (firstIndex != int.MaxValue)
                {
                    // As in the sequential search: invariants in list order, each keeping its first (shortest)
                    // violation; stopping at the first violating state records only what fails there.
                    for (int j = 0; j < e._invariants.Length; j++)
                    {
                        WorkerBuffer? owner = null;
                        foreach (WorkerBuffer buffer in _buffers)
                        {
                            if (buffer.ViolationIndex[j] != int.MaxValue && (owner is null || buffer.ViolationIndex[j] < owner.ViolationIndex[j]))
                            {
                                owner = buffer;
                            }
                        }

                        if (owner is null || e._violationTraces[j] is not null || (e._stopAtFirstViolation && owner.ViolationIndex[j] != firstIndex))
                        {
                            continue;
                        }

                        int index = owner.ViolationIndex[j];
                        int id = firstNewId + index;
                        var trace = e.ReconstructTrace(id, e.FingerprintOf(_newStates[index], e._main.Writer));
                        e.RecordViolation(j, owner.ViolationMessage[j]!, trace, trace.Steps.Count);
                    }

                    if (e._stopAtFirstViolation)
                    {
                        // The sequential search stops right after storing the violating state, while expanding its parent.
                        int id = firstNewId + firstIndex;
                        e._stored = id + 1;
                        _newCount = firstIndex + 1;
                        cut = e._parents.Lookup(id).Parent - baseId;
                        stop = true;
                    }
                }
            }

            for (int b = 0; b <= cut; b++)
            {
                BatchResult r = _results[b];
                if (r.Terminal)
                {
                    e._terminalStates++;
                    e._observer?.OnTerminal(_batch[b], e.CreateTraceFactory(_batch[b], baseId + b));
                    continue;
                }

                e._transitions += r.Count;
                if (r.Reduced)
                {
                    e._reducedExpansions++;
                }
            }

            if (stop)
            {
                return false;
            }

            for (int i = 0; i < _newCount; i++)
            {
                frontier.Enqueue(_newStates[i]);
            }

            if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TState>())
            {
                // Let drained states be collected.
                Array.Clear(_batch, 0, _batchCount);
                Array.Clear(_newStates, 0, _newCount);
            }

            return true;
        }

        private void RunPhase(Phase phase)
        {
            _phase = phase;
            _nextBlock = 0;
            _barrier.SignalAndWait();
            Work(0);
            _barrier.SignalAndWait();
            foreach (WorkerBuffer buffer in _buffers)
            {
                if (buffer.Error is { } error)
                {
                    buffer.Error = null;
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
                }
            }
        }

        private void WorkerLoop()
        {
            while (true)
            {
                _barrier.SignalAndWait();
                if (_phase == Phase.Exit)
                {
                    return;
                }

                Work(1);
                _barrier.SignalAndWait();
            }
        }

        private void Work(int worker)
        {
            WorkerBuffer buffer = _buffers[worker];
            try
            {
                switch (_phase)
                {
                    case Phase.Generate:
                        Generate(buffer, worker);
                        break;
                    case Phase.Insert:
                        Insert(worker);
                        break;
                    case Phase.CheckInvariants:
                        CheckInvariants(buffer);
                        break;
                }
            }
            catch (Exception exception)
            {
                buffer.Error = exception;
            }
        }

        private int NextBlock(int limit)
        {
            int start = Interlocked.Add(ref _nextBlock, BlockSize) - BlockSize;
            return start < limit ? start : -1;
        }

        private void Generate(WorkerBuffer buffer, int worker)
        {
            Explorer<TState, TAction> e = _explorer;
            Expansion<TState, TAction> x = buffer.Expansion;
            for (int start = NextBlock(_batchCount); start >= 0; start = NextBlock(_batchCount))
            {
                int end = Math.Min(start + BlockSize, _batchCount);
                for (int b = start; b < end; b++)
                {
                    ref BatchResult r = ref _results[b];
                    r.Worker = worker;
                    r.Start = buffer.Count;
                    r.Terminal = !e.Generate(_batch[b], x);
                    r.Reduced = !x.All;
                    r.Count = r.Terminal ? 0 : x.SelectedCount;
                    for (int j = 0; j < r.Count; j++)
                    {
                        int k = x.IndexOf(j);
                        TState next = x.Successors[k].Next;
                        buffer.Add(next, e.FingerprintOf(next, x.Writer), k);
                    }
                }
            }

            x.Successors.Clear();
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Insert(int worker)
        {
            // A FIFO of this partition's pending entries: each slot is prefetched when it enters and inserted when it
            // leaves, so PrefetchDistance lookups are in flight while the insertion order stays the batch order.
            Explorer<TState, TAction> e = _explorer;
            FingerprintSet set = e._sets[worker];
            bool atDepthLimit = _batchDepth >= e._maxDepth;
            Span<int> ringBuffer = stackalloc int[PrefetchDistance];
            Span<int> ringEntry = stackalloc int[PrefetchDistance];
            int head = 0;
            int count = 0;
            for (int b = 0; b < _batchCount; b++)
            {
                BatchResult r = _results[b];
                ulong[] fingerprints = _buffers[r.Worker].Fingerprints;
                for (int i = r.Start; i < r.Start + r.Count; i++)
                {
                    ulong fingerprint = fingerprints[i];
                    if ((int)(fingerprint >> 63) != worker)
                    {
                        continue;
                    }

                    if (count == PrefetchDistance)
                    {
                        InsertOne(e, set, atDepthLimit, ringBuffer[head], ringEntry[head]);
                        head = (head + 1) % PrefetchDistance;
                        count--;
                    }

                    set.Prefetch(fingerprint);
                    int tail = (head + count) % PrefetchDistance;
                    ringBuffer[tail] = r.Worker;
                    ringEntry[tail] = i;
                    count++;
                }
            }

            for (; count > 0; count--, head = (head + 1) % PrefetchDistance)
            {
                InsertOne(e, set, atDepthLimit, ringBuffer[head], ringEntry[head]);
            }
        }

        private void InsertOne(Explorer<TState, TAction> e, FingerprintSet set, bool atDepthLimit, int bufferIndex, int i)
        {
            WorkerBuffer buffer = _buffers[bufferIndex];
            ulong fingerprint = buffer.Fingerprints[i];
            if (fingerprint == 0)
            {
                // Only partition 0 sees the zero fingerprint, so only thread 0 touches this flag.
                buffer.IsNew[i] = !e._zeroStored;
                e._zeroStored |= !atDepthLimit;
            }
            else
            {
                buffer.IsNew[i] = atDepthLimit ? !set.Contains(fingerprint) : set.Add(fingerprint);
            }
        }

        private void CheckInvariants(WorkerBuffer buffer)
        {
            Explorer<TState, TAction> e = _explorer;
            Invariant<TState>[] invariants = e._invariants;
            if (buffer.ViolationIndex.Length != invariants.Length)
            {
                buffer.ViolationIndex = new int[invariants.Length];
                buffer.ViolationMessage = new string?[invariants.Length];
            }

            Array.Fill(buffer.ViolationIndex, int.MaxValue);
            Array.Clear(buffer.ViolationMessage);
            int lowest = int.MaxValue;

            // Blocks are taken in increasing order, so a thread's first hit of an invariant is its lowest index.
            for (int start = NextBlock(_newCount); start >= 0; start = NextBlock(_newCount))
            {
                int end = Math.Min(start + BlockSize, _newCount);
                for (int i = start; i < end && !(e._stopAtFirstViolation && i > lowest); i++)
                {
                    for (int j = 0; j < invariants.Length; j++)
                    {
                        string? message = invariants[j].Check(_newStates[i]);
                        if (message is not null && buffer.ViolationIndex[j] == int.MaxValue)
                        {
                            buffer.ViolationIndex[j] = i;
                            buffer.ViolationMessage[j] = message;
                            lowest = Math.Min(lowest, i);
                        }
                    }
                }
            }
        }
    }
}
