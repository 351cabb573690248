namespace NatVerify.Checker;

/// <summary>
/// Sleep sets (Godefroid 1996, ch. 5-6) on top of the persistent/stubborn sets of partial-order reduction
/// (<see cref="CheckerOptions.SleepSets"/>): a process whose steps were already explored from an earlier state of the
/// path, and that is independent of every step taken since, is not explored again. Sound together with state
/// matching because the sleep set is stored with each state and a revisit with a set that is not a superset
/// shrinks the stored set to the intersection and expands the state again (docs/architecture.md, "Sleep sets").
/// </summary>
/// <remarks>
/// <para>
/// <b>Granularity.</b> An element of a sleep set is a process, standing for all of its enabled steps. That is sound
/// because a process's enabled steps, and their effects, are a function of what its step footprint reads
/// (<see cref="IStepFootprints{TState, TAction}"/>), or, with <see cref="IIndependence{TState, TAction}"/>, because
/// <see cref="IIndependence{TState, TAction}.CommutesWithFutureOf"/>(s, q, p) promises that p enables and disables
/// none of q's steps: along a path of steps independent of q, q's steps stay exactly the same.
/// </para>
/// <para>
/// <b>Rules.</b> In state s with stored sleep set Z (the intersection of the sets of every arrival; initial states
/// have the empty set) the engine explores the processes of the reduction's choice P(s) that are not in Z, in the
/// order of their first successor, E = e1, e2, .... A successor by a step of e gets the sleep set
/// { q in Z : q independent of e } together with { q = e_j before e : q independent of e, and q has a visible
/// step in s or all of q's steps in s increase the progress measure }. When an arrival shrinks the stored set of a
/// state that was already expanded, the state is expanded again, all of P(s) minus the new set, with the new set
/// (not only the difference: that keeps every state's last expansion a function of its final set, which the proof
/// below needs).
/// </para>
/// <para>
/// <b>Why terminal states and violations are kept.</b> Call a path w from s blocked by Z when some q in Z (a) takes
/// a step in w and its first step commutes with every step before it, or (b) takes no step in w, is independent of
/// every step of w and all its steps are invisible. Claim: for a stored state s with final set Z and a path w from
/// s to a terminal state x (or to a state violating invariant i) that Z does not block, the search stores x (a
/// state violating i). Induction on (length of w, minus the progress of s). Among the explored processes of s, take
/// the first e that (a) has a step in w whose first step commutes to the front, or (b) has no step in w, is
/// independent of all of w, and all its steps are invisible and increase the progress. Following e gives a
/// shorter path (a), or the same path from a state of greater progress, ending in a state that still violates i
/// (b; impossible for a terminal x, where e would still be enabled). The child's sleep set does not block that
/// path: a blocker from Z would block w; a blocker explored before e would be an earlier candidate (a (b)-blocker
/// is invisible, so it was let in because its steps make progress). Such an e exists: if s was fully expanded, the
/// process of w's first step qualifies unless Z blocks w; if s was reduced (P(s) persistent, invisible,
/// progress-making), the first step of P(s) in w commutes to the front, and if w has none, every process of P(s)
/// is independent of all of w, so it qualifies by (b) or Z blocks w. Initial states have empty sets.
/// </para>
/// <para>
/// Sleep sets are bit masks of processes 0-62 (bit 63 of a stored value marks an expanded state): with more
/// processes, or with two workers, they turn themselves off and <see cref="ExplorationStats.SleepSets"/> says why.
/// </para>
/// </remarks>
internal sealed class SleepSets<TState, TAction>
{
    /// <summary>The most processes a sleep-set mask holds.</summary>
    public const int MaxProcesses = 63;

    private readonly IStepFootprints<TState, TAction>? _footprints;
    private readonly IIndependence<TState, TAction>? _independence;
    private readonly bool _revisits;
    private readonly SleepTable _table = new();
    private readonly ChunkedQueue<ulong> _waiting = new();
    private readonly Scratch[] _scratch;
    private readonly Footprint[] _processFootprints;

    private SleepSets(IStepFootprints<TState, TAction>? footprints, IIndependence<TState, TAction>? independence, bool revisits, int slots, int processCount)
    {
        _footprints = footprints;
        _independence = independence;
        _revisits = revisits;
        _scratch = new Scratch[slots];
        for (int i = 0; i < slots; i++)
        {
            _scratch[i] = new Scratch();
        }

        _processFootprints = new Footprint[footprints is null ? 0 : processCount];
        for (int i = 0; i < _processFootprints.Length; i++)
        {
            _processFootprints[i] = new Footprint();
        }
    }

    /// <summary>Gets the number of kept steps not taken because their process was asleep.</summary>
    public long Pruned { get; private set; }

    /// <summary>Gets the number of stored states expanded again because a revisit shrank their sleep set.</summary>
    public long Reexpansions { get; private set; }

    /// <summary>Gets the bytes of the stored sleep sets.</summary>
    public long Bytes => _table.Bytes;

    /// <summary>Gets the number of states that have a stored sleep set.</summary>
    public long StoredSets => _table.Count;

    /// <summary>
    /// Creates the sleep sets of a run, or returns null with <paramref name="note"/> saying why they are off
    /// (null note: they were not asked for).
    /// </summary>
    public static SleepSets<TState, TAction>? Create(
        CheckerOptions options, ITransitionSystem<TState, TAction> system, int workers, int slots, out string? note)
    {
        note = null;
        if (!options.SleepSets)
        {
            return null;
        }

        var footprints = system as IStepFootprints<TState, TAction>;
        IIndependence<TState, TAction>? independence = footprints is null ? system as IIndependence<TState, TAction> : null;
        int processCount = footprints?.ProcessCount ?? independence?.ProcessCount ?? 0;
        if (footprints is null && independence is null)
        {
            note = "off: the transition system declares no independence (IStepFootprints or IIndependence)";
            return null;
        }

        if (processCount > MaxProcesses)
        {
            note = $"off: {processCount} processes, more than the {MaxProcesses} a sleep-set mask holds";
            return null;
        }

        if (workers > 1)
        {
            note = "off: not implemented in the two-worker search";
            return null;
        }

        note = "on";
        return new SleepSets<TState, TAction>(footprints, independence, options.SleepSetRevisits, slots, processCount);
    }

    /// <summary>Breadth-first: a state was stored with <paramref name="sleep"/> and queued (after any initial or earlier one).</summary>
    public void Queued(ulong fingerprint, ulong sleep)
    {
        if (sleep != 0)
        {
            _table.Set(fingerprint, sleep);
        }

        _waiting.Enqueue(fingerprint);
    }

    /// <summary>Breadth-first: the sleep set of the state dequeued next (the frontier's order), marked expanded.</summary>
    public ulong DequeueForExpansion()
    {
        _waiting.TryDequeue(out ulong fingerprint);
        return BeginExpansion(fingerprint);
    }

    /// <summary>Depth-first: a state was stored with <paramref name="sleep"/>.</summary>
    public void Stored(ulong fingerprint, ulong sleep)
    {
        if (sleep != 0)
        {
            _table.Set(fingerprint, sleep);
        }
    }

    /// <summary>Returns the state's stored sleep set and marks it expanded.</summary>
    public ulong BeginExpansion(ulong fingerprint)
    {
        ulong value = _table.Get(fingerprint);
        if (value != 0 && (value & SleepTable.ExpandedBit) == 0)
        {
            _table.Set(fingerprint, value | SleepTable.ExpandedBit);
        }

        return value & ~SleepTable.ExpandedBit;
    }

    /// <summary>
    /// An already stored state was reached again with <paramref name="sleep"/>: its stored set becomes the
    /// intersection; true when it was already expanded with a larger set and must be expanded again (the caller
    /// queues it once more; <see cref="DequeueForExpansion"/> or <see cref="BeginExpansion"/> then reads the new set).
    /// </summary>
    public bool Revisit(ulong fingerprint, ulong sleep)
    {
        if (!_revisits)
        {
            return false;
        }

        ulong value = _table.Get(fingerprint);
        ulong stored = value & ~SleepTable.ExpandedBit;
        if ((stored & ~sleep) == 0)
        {
            return false;
        }

        ulong shrunk = stored & sleep;
        if ((value & SleepTable.ExpandedBit) == 0)
        {
            _table.Set(fingerprint, shrunk);
            return false;
        }

        // Not marked expanded again until the new expansion reads it, so later arrivals only shrink it further.
        _table.Set(fingerprint, shrunk);
        Reexpansions++;
        return true;
    }

    /// <summary>Breadth-first: a state queued again for expansion (after <see cref="Revisit"/> returned true).</summary>
    public void Requeued(ulong fingerprint) => _waiting.Enqueue(fingerprint);

    /// <summary>
    /// Drops the kept successors whose process is in <paramref name="sleep"/> and computes each remaining one's sleep
    /// set (<see cref="ChildSleep"/>). Runs after the reduction chose the kept successors of <paramref name="state"/>.
    /// </summary>
    public void Filter(TState state, Expansion<TState, TAction> x, int slot, ulong sleep)
    {
        List<Transition<TState, TAction>> successors = x.Successors;
        int count = successors.Count;
        Scratch s = _scratch[slot];
        s.Ensure(count);
        x.EnsureCapacity(count);
        int[] processes = s.Processes;
        ulong enabled = 0;
        for (int k = 0; k < count; k++)
        {
            int process = _footprints is not null ? _footprints.ProcessOf(successors[k].Action) : _independence!.ProcessOf(successors[k].Action);
            processes[k] = process;
            enabled |= 1UL << process;
        }

        // A sleeping process is always enabled (independent steps keep it so); the mask drops any that is not, to be safe.
        ulong asleep = sleep & enabled;
        int kept = x.SelectedCount;
        int[] selected = x.Selected;
        bool all = x.All;
        int n = 0;
        ulong explored = 0;
        int[] order = s.Order;
        int explorers = 0;
        for (int j = 0; j < kept; j++)
        {
            int k = all ? j : selected[j];
            int process = processes[k];
            if ((asleep & (1UL << process)) != 0)
            {
                continue;
            }

            // In place: index n never passes j, so unread entries are not overwritten.
            selected[n++] = k;
            if ((explored & (1UL << process)) == 0)
            {
                explored |= 1UL << process;
                order[explorers++] = process;
            }
        }

        if (n < kept)
        {
            Pruned += kept - n;
            x.All = false;
            x.SelectedCount = n;
        }

        ulong[] childOf = s.ChildOfProcess;
        if (explorers == 0)
        {
            return;
        }

        if (asleep == 0 && explorers == 1)
        {
            childOf[order[0]] = 0;
            FillChildren(x, s, n);
            return;
        }

        if (_footprints is not null)
        {
            ulong needed = asleep | explored;
            for (ulong m = needed; m != 0; m &= m - 1)
            {
                _processFootprints[System.Numerics.BitOperations.TrailingZeroCount(m)].Clear();
            }

            for (int k = 0; k < count; k++)
            {
                if ((needed & (1UL << processes[k])) != 0)
                {
                    _footprints.StepFootprint(state, successors[k].Action, _processFootprints[processes[k]]);
                }
            }
        }

        long progress = 0;
        bool progressKnown = false;
        ulong before = 0;
        for (int i = 0; i < explorers; i++)
        {
            int e = order[i];
            ulong child = 0;
            for (ulong m = asleep | before; m != 0; m &= m - 1)
            {
                int q = System.Numerics.BitOperations.TrailingZeroCount(m);
                if (Independent(state, q, e))
                {
                    child |= 1UL << q;
                }
            }

            childOf[e] = child;
            if (i + 1 < explorers && IsEligible(state, successors, processes, count, e, ref progress, ref progressKnown))
            {
                before |= 1UL << e;
            }
        }

        FillChildren(x, s, n);
    }

    /// <summary>The sleep set of the <paramref name="j"/>-th kept successor after <see cref="Filter"/>.</summary>
    public ulong ChildSleep(int slot, int j) => _scratch[slot].Children[j];

    private static void FillChildren(Expansion<TState, TAction> x, Scratch s, int n)
    {
        ulong[] children = s.Children;
        int[] processes = s.Processes;
        ulong[] childOf = s.ChildOfProcess;
        for (int j = 0; j < n; j++)
        {
            children[j] = childOf[processes[x.IndexOf(j)]];
        }
    }

    /// <summary>Whether q's enabled steps stay the same, and commute with, every enabled step of e.</summary>
    private bool Independent(TState state, int q, int e)
    {
        if (_footprints is not null)
        {
            return !_processFootprints[q].ConflictsWith(_processFootprints[e]);
        }

        // q's steps commute with all e may do and no step of q is enabled by e: q's steps stay the same.
        return _independence!.CommutesWithFutureOf(state, q, e);
    }

    /// <summary>
    /// Whether e may sleep in the successors of its later siblings: when one of its enabled steps is visible (it can
    /// then only ever block a path it takes part in), or when all of them increase the progress measure.
    /// </summary>
    private bool IsEligible(TState state, List<Transition<TState, TAction>> successors, int[] processes, int count, int e, ref long progress, ref bool progressKnown)
    {
        bool allProgress = true;
        for (int k = 0; k < count; k++)
        {
            if (processes[k] != e)
            {
                continue;
            }

            TAction action = successors[k].Action;
            if (_footprints is not null ? _footprints.IsVisible(state, action) : _independence!.IsVisible(state, action))
            {
                return true;
            }

            if (allProgress)
            {
                if (!progressKnown)
                {
                    progress = _footprints is not null ? _footprints.Progress(state) : _independence!.Progress(state);
                    progressKnown = true;
                }

                long next = _footprints is not null ? _footprints.Progress(successors[k].Next) : _independence!.Progress(successors[k].Next);
                allProgress = next > progress;
            }
        }

        return allProgress;
    }

    private sealed class Scratch
    {
        public int[] Processes { get; private set; } = new int[16];

        public int[] Order { get; } = new int[MaxProcesses + 1];

        public ulong[] ChildOfProcess { get; } = new ulong[MaxProcesses + 1];

        public ulong[] Children { get; private set; } = new ulong[16];

        public void Ensure(int count)
        {
            if (Processes.Length < count)
            {
                int size = Math.Max(count, Processes.Length * 2);
                Processes = new int[size];
                Children = new ulong[size];
            }
        }
    }
}
