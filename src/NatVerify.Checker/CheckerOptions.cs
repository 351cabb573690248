namespace NatVerify.Checker;

/// <summary>Search order, resource bounds and reporting settings for a <see cref="ModelChecker{TState, TAction}"/> run.</summary>
public sealed record CheckerOptions
{
    /// <summary>Gets the search order; breadth-first by default.</summary>
    public SearchOrder Order { get; init; } = SearchOrder.BreadthFirst;

    /// <summary>Gets the maximum number of distinct states stored, or <see langword="null"/> for no limit.</summary>
    public long? MaxStates { get; init; }

    /// <summary>
    /// Gets the maximum depth of stored states (initial states have depth 0), or <see langword="null"/> for no limit;
    /// states at this depth are checked but their new successors are not stored.
    /// </summary>
    public int? MaxDepth { get; init; }

    /// <summary>
    /// Gets the limit on the process's resident memory (<see cref="ProcessMemory.ResidentBytes"/>) in bytes, checked
    /// every 4096 stored states, or <see langword="null"/> for no limit. The whole process counts, not only this
    /// run's structures: callers choose the bound (<see cref="ProcessMemory.Choose"/>).
    /// </summary>
    public long? MaxMemoryBytes { get; init; }

    /// <summary>Gets the wall-clock limit for the run, or <see langword="null"/> for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the minimum interval between two progress reports to the observer.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets whether the run ends at the first invariant violation; when false the first violation is kept and exploration continues.</summary>
    public bool StopAtFirstViolation { get; init; } = true;

    /// <summary>
    /// Gets whether to explore only a persistent subset of the steps in each state when the transition system
    /// implements <see cref="IIndependence{TState, TAction}"/> (ignored otherwise). Verdicts, terminal states and
    /// the reachability of violations are preserved; state and transition counts shrink, and breadth-first traces
    /// are shortest only within the reduced graph.
    /// </summary>
    public bool PartialOrderReduction { get; init; }

    /// <summary>
    /// Gets whether to add sleep sets (docs/architecture.md, "Sleep sets"): a process whose steps were explored from
    /// an earlier state of the path, and that is independent of every step taken since, is not explored again. Needs
    /// the independence of <see cref="IStepFootprints{TState, TAction}"/> or <see cref="IIndependence{TState, TAction}"/>
    /// (on top of <see cref="PartialOrderReduction"/>'s persistent sets, or alone). Terminal states and the
    /// reachability of every invariant violation are preserved; transitions (and often states) shrink. Off, and said
    /// so in <see cref="ExplorationStats.SleepSets"/>, with more than 63 processes or two workers.
    /// </summary>
    public bool SleepSets { get; init; }

    /// <summary>
    /// Gets whether a revisit with a smaller sleep set shrinks the stored one and expands the state again. Only tests
    /// turn it off, to show that the revisit handling changes the search (no case where the naive scheme loses a state
    /// was found; docs/architecture.md, "Sleep sets").
    /// </summary>
    internal bool SleepSetRevisits { get; init; } = true;

    /// <summary>
    /// Gets whether partial-order reduction, on a system implementing <see cref="IProcessSuccessors{TState, TAction}"/>,
    /// chooses the stubborn set before building successors and builds only those it needs (the default). Results are
    /// identical either way (states, transitions, ids, traces); false builds every successor first, as systems without
    /// the interface are expanded, and is kept for comparing the two.
    /// </summary>
    public bool LazyReduction { get; init; } = true;

    /// <summary>
    /// Gets the number of threads for breadth-first search: 1 (the default) or 2. With 2, successor generation,
    /// fingerprinting and invariant checks run on two threads and the fingerprint table is split in two halves,
    /// one per thread; results (verdict, counts, ids, traces) are identical to the single-threaded run. The
    /// transition system, encoder and invariants must then be safe to call from two threads at once.
    /// Depth-first search always uses one thread.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>
    /// Gets the number of states to size the fingerprint table for up front (like SPIN's <c>-w</c>), or
    /// <see langword="null"/> to start small and double as needed.
    /// </summary>
    public long? ExpectedStates { get; init; }
}
