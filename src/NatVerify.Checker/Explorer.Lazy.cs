using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>
/// The lazy expansion of footprint-based partial-order reduction (<see cref="IProcessSuccessors{TState, TAction}"/>):
/// the stubborn set is chosen from per-process footprints, and successors are built only for the processes whose step
/// count, visibility or progress the choice needs, then for the chosen ones. The choice is exactly the one
/// <see cref="SelectStubborn"/> makes after building every successor.
/// </summary>
internal sealed partial class Explorer<TState, TAction>
{
    // Each thread's future footprints, kept from one expanded state to the next (IStableFutures); tagged with the explorer
    // that computed them, by number rather than by reference so that a finished search is not kept alive.
    [ThreadStatic]
    private static FutureCache? t_futures;

    private static long s_lazyIds;

    private readonly long _lazyId = Interlocked.Increment(ref s_lazyIds);

    private Expansion<TState, TAction>? _traceExpansion;

    /// <summary>
    /// Fills the expansion with the kept successors only (in full-list order); false when the state is terminal. In a
    /// reduced expansion <see cref="Expansion{TState, TAction}.Successors"/> holds just the kept steps, so their ordinals
    /// are their indices among the kept steps (<see cref="FullOrdinal"/> maps them back for traces).
    /// </summary>
    /// <remarks>
    /// <see cref="SelectStubborn"/> keeps, among the starting processes in id order, the first whose closure (every
    /// process whose future conflicts with the set's enabled steps, transitively) has only enabled, usable members and
    /// the fewest steps, and not all of them. The closure depends on footprints alone, so it is computed first; step
    /// counts and usability (which need the successors) are asked for only when the closure could still win: every
    /// member has at least one step, so a closure whose members' known counts (one for each member not built yet) add
    /// up to the best size cannot, and once a set of one step is found no later start can.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool GenerateLazy(TState state, Expansion<TState, TAction> x)
    {
        IProcessSuccessors<TState, TAction> system = _lazy!;
        List<Transition<TState, TAction>> successors = x.Successors;
        successors.Clear();
        x.All = true;
        int processCount = system.ProcessCount;
        x.EnsureProcesses(processCount, processCount);
        x.EnsureLazy(processCount);
        int[] distinct = x.LazyProcess;
        int[] distinctOf = x.DistinctOf;
        int distinctCount = 0;
        for (int p = 0; p < processCount; p++)
        {
            if (system.HasEnabledSteps(state, p))
            {
                distinctOf[p] = distinctCount;
                distinct[distinctCount++] = p;
            }
            else
            {
                distinctOf[p] = -1;
            }
        }

        if (distinctCount < 2)
        {
            if (distinctCount == 1)
            {
                system.ProcessSuccessors(state, distinct[0], successors);
            }

            x.SelectedCount = successors.Count;
            return successors.Count > 0;
        }

        List<Transition<TState, TAction>> built = x.Built;
        built.Clear();
        int[] counts = x.LazyCount;
        for (int d = 0; d < distinctCount; d++)
        {
            x.Usable[d] = 0;
            counts[d] = -1;
        }

        // Footprints are computed at most once per state and process, enabled ones only for the processes the closure
        // search reaches (a search that ends early never needs the others); the stamp marks which are current.
        int stamp = ++x.Stamp;
        if (stamp == int.MaxValue)
        {
            Array.Clear(x.FutureStamp);
            Array.Clear(x.StepStamp);
            x.Stamp = stamp = 1;
        }

        FutureCache futures = FuturesOfThisThread(processCount);

        long progress = 0;
        bool progressKnown = false;
        bool found = false;
        int bestSize = int.MaxValue;
        bool[] member = x.Member;
        bool[] best = x.Best;
        Array.Clear(x.Edges, 0, distinctCount * processCount);
        for (int start = 0; start < distinctCount; start++)
        {
            if (found && counts[start] >= bestSize)
            {
                continue;
            }

            Array.Clear(member, 0, distinctCount);
            member[start] = true;
            int members = 1;

            // A lower bound of the set's size: the steps of members already built, one for each other member.
            int atLeast = Math.Max(counts[start], 1);
            bool failed = false;

            // The set's footprint is the union of its members' and a conflict with a union is a conflict with one of
            // them, so the closure is what the conflict graph (member d -> process q when d's enabled steps conflict
            // with q's future) reaches from the start; each edge is asked once per state.
            int[] work = x.Work;
            int pending = 0;
            work[pending++] = start;
            while (pending > 0 && !failed)
            {
                int d = work[--pending];
                if (x.StepStamp[d] != stamp)
                {
                    x.StepFootprints[d].Clear();
                    system.EnabledFootprint(state, distinct[d], x.StepFootprints[d]);
                    x.StepStamp[d] = stamp;
                }

                for (int q = 0; q < processCount; q++)
                {
                    int dq = distinctOf[q];
                    if ((dq >= 0 && member[dq]) || !Conflicts(state, x, d, q, processCount, futures))
                    {
                        continue;
                    }

                    // q must join the set, which needs enabled steps; a set of every process, or one with at least as
                    // many steps as the best set, cannot win.
                    if (dq < 0)
                    {
                        failed = true;
                        break;
                    }

                    member[dq] = true;
                    atLeast += Math.Max(counts[dq], 1);
                    if (++members == distinctCount || atLeast >= bestSize)
                    {
                        failed = true;
                        break;
                    }

                    work[pending++] = dq;
                }
            }

            int size = 0;
            for (int d = 0; d < distinctCount && !failed; d++)
            {
                if (!member[d])
                {
                    continue;
                }

                if (!BuildAndJudge(state, x, d, ref progress, ref progressKnown))
                {
                    failed = true;
                    break;
                }

                size += counts[d];
                failed = size >= bestSize;
            }

            if (failed)
            {
                continue;
            }

            found = true;
            bestSize = size;
            Array.Copy(member, best, distinctCount);
            if (size == 1)
            {
                // Every process has at least one step: no later start can be smaller.
                break;
            }
        }

        if (!found)
        {
            if (built.Count == 0)
            {
                // Nothing built yet: the full list in one call (the contract makes it the concatenation by process).
                if (_searchSuccessors is not null)
                {
                    _searchSuccessors.SearchSuccessors(state, successors);
                }
                else
                {
                    _system.Successors(state, successors);
                }
            }
            else
            {
                for (int d = 0; d < distinctCount; d++)
                {
                    if (counts[d] < 0)
                    {
                        system.ProcessSuccessors(state, distinct[d], successors);
                    }
                    else
                    {
                        CopyBuilt(x, d, successors);
                    }
                }
            }

            x.SelectedCount = successors.Count;
            return true;
        }

        for (int d = 0; d < distinctCount; d++)
        {
            if (best[d])
            {
                CopyBuilt(x, d, successors);
            }
        }

        int n = successors.Count;
        x.EnsureCapacity(n);
        int[] selected = x.Selected;
        for (int j = 0; j < n; j++)
        {
            selected[j] = j;
        }

        x.All = false;
        x.SelectedCount = n;
        return true;
    }

    /// <summary>Whether distinct process <paramref name="d"/>'s enabled steps conflict with process <paramref name="q"/>'s future (memoised per state).</summary>
    private bool Conflicts(TState state, Expansion<TState, TAction> x, int d, int q, int processCount, FutureCache futures)
    {
        ref byte edge = ref x.Edges[(d * processCount) + q];
        if (edge == 0)
        {
            Footprint future = futures.Futures[q];
            if (futures.Stamps[q] != futures.Stamp)
            {
                // The footprint of an earlier state on this thread serves when the system vouches it is unchanged.
                if (!futures.Valid[q] || futures.Stable is null || !futures.Stable.SameFuture(futures.States[q], state, q))
                {
                    future.Clear();
                    _lazy!.FutureFootprint(state, q, future);
                    futures.States[q] = state;
                    futures.Valid[q] = true;
                }

                futures.Stamps[q] = futures.Stamp;
            }

            edge = x.StepFootprints[d].ConflictsWith(future) ? (byte)1 : (byte)2;
        }

        return edge == 1;
    }

    /// <summary>This thread's future footprints for this search, with a fresh stamp for the state about to be expanded.</summary>
    private FutureCache FuturesOfThisThread(int processCount)
    {
        FutureCache c = t_futures ??= new FutureCache();
        if (c.Owner != _lazyId || c.Futures.Length < processCount)
        {
            c.Owner = _lazyId;
            c.Stable = _lazy as IStableFutures<TState>;
            c.Futures = new Footprint[processCount];
            for (int i = 0; i < processCount; i++)
            {
                c.Futures[i] = new Footprint();
            }

            c.States = new TState[processCount];
            c.Valid = new bool[processCount];
            c.Stamps = new int[processCount];
            c.Stamp = 0;
        }

        if (++c.Stamp == int.MaxValue)
        {
            Array.Clear(c.Stamps);
            c.Stamp = 1;
        }

        return c;
    }

    private static void CopyBuilt(Expansion<TState, TAction> x, int d, List<Transition<TState, TAction>> sink)
    {
        List<Transition<TState, TAction>> built = x.Built;
        int end = x.LazyStart[d] + x.LazyCount[d];
        for (int k = x.LazyStart[d]; k < end; k++)
        {
            sink.Add(built[k]);
        }
    }

    /// <summary>
    /// Builds a distinct process's successors once per state and says whether they are all invisible and all increase
    /// the progress measure (<see cref="IsUsable"/>'s question, asked of the same successors).
    /// </summary>
    private bool BuildAndJudge(TState state, Expansion<TState, TAction> x, int d, ref long progress, ref bool progressKnown)
    {
        if (x.Usable[d] != 0)
        {
            return x.Usable[d] == 1;
        }

        IProcessSuccessors<TState, TAction> system = _lazy!;
        List<Transition<TState, TAction>> built = x.Built;
        int start = built.Count;
        system.ProcessSuccessors(state, x.LazyProcess[d], built);
        x.LazyStart[d] = start;
        x.LazyCount[d] = built.Count - start;
        bool usable = true;
        for (int k = start; k < built.Count; k++)
        {
            if (system.IsVisible(state, built[k].Action))
            {
                usable = false;
                break;
            }

            if (!progressKnown)
            {
                progress = system.Progress(state);
                progressKnown = true;
            }

            if (system.Progress(built[k].Next) <= progress)
            {
                usable = false;
                break;
            }
        }

        x.Usable[d] = usable ? (byte)1 : (byte)2;
        return usable;
    }

    /// <summary>
    /// Maps the ordinal a lazy expansion recorded (an index among the kept steps) to the index of the same step in
    /// <paramref name="full"/>, the state's full successor list: the same process's step of the same rank.
    /// </summary>
    private int FullOrdinal(TState state, int ordinal, List<Transition<TState, TAction>> full)
    {
        Expansion<TState, TAction> x = _traceExpansion ??= new Expansion<TState, TAction>();
        GenerateLazy(state, x);
        if (x.All)
        {
            return ordinal;
        }

        if (ordinal >= x.SelectedCount)
        {
            return full.Count;
        }

        IProcessSuccessors<TState, TAction> system = _lazy!;
        List<Transition<TState, TAction>> kept = x.Successors;
        int process = system.ProcessOf(kept[ordinal].Action);
        int rank = 0;
        for (int j = 0; j < ordinal; j++)
        {
            if (system.ProcessOf(kept[j].Action) == process)
            {
                rank++;
            }
        }

        for (int k = 0; k < full.Count; k++)
        {
            if (system.ProcessOf(full[k].Action) == process && rank-- == 0)
            {
                return k;
            }
        }

        return full.Count;
    }

    /// <summary>
    /// Per thread, per process: the future footprint the lazy search last computed, the state it was computed in, and
    /// the stamp of the state being expanded once it has been found current for it (asked at most once per state).
    /// </summary>
    private sealed class FutureCache
    {
        public long Owner;

        public IStableFutures<TState>? Stable;

        public Footprint[] Futures = [];

        public TState[] States = [];

        public bool[] Valid = [];

        public int[] Stamps = [];

        public int Stamp;
    }
}
