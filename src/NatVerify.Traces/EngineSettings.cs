namespace NatVerify.Traces;

/// <summary>
/// The engine options of the run that found a trace, recorded for provenance. Exploration is exhaustive and
/// deterministic, so nothing here is needed to replay; a future random mode will record its seed in
/// <see cref="TraceFile.Seed"/>.
/// </summary>
/// <param name="Search"><c>bfs</c> or <c>dfs</c>.</param>
/// <param name="MaxStates">The <c>--max-states</c> bound, if any.</param>
/// <param name="MaxDepth">The <c>--max-depth</c> bound, if any.</param>
/// <param name="MaxMemoryBytes">The memory bound in bytes, if any.</param>
/// <param name="TimeoutSeconds">The time bound in seconds, if any.</param>
/// <param name="StopAtFirstViolation">Whether the run stopped at its first violation.</param>
public sealed record EngineSettings(
    string Search, long? MaxStates, int? MaxDepth, long? MaxMemoryBytes, double? TimeoutSeconds, bool StopAtFirstViolation)
{
    /// <summary>
    /// The state-space reduction of the run, as <c>check --reduce</c> spells it: <c>none</c>, <c>por</c>, <c>sym</c>,
    /// <c>por+sym</c>, <c>por+sleep</c> or <c>por+sleep+sym</c>. Re-running <c>check</c> with it explores the same graph; traces written before it existed read as
    /// <c>none</c>.
    /// </summary>
    public string Reduce { get; init; } = "none";

    /// <summary>Breadth-first, unbounded, exploring on after a violation: what <c>natverify check</c> does by default.</summary>
    public static EngineSettings Default { get; } = new("bfs", null, null, null, null, false);

    /// <summary>The settings of a checker run, with <paramref name="symmetry"/> when actor symmetry reduced it.</summary>
    public static EngineSettings Of(Checker.CheckerOptions options, bool symmetry = false) => new(
        options.Order == Checker.SearchOrder.DepthFirst ? "dfs" : "bfs",
        options.MaxStates,
        options.MaxDepth,
        options.MaxMemoryBytes,
        options.Timeout?.TotalSeconds,
        options.StopAtFirstViolation)
    {
        Reduce = (options.PartialOrderReduction, options.SleepSets, symmetry) switch
        {
            (true, true, true) => "por+sleep+sym",
            (true, true, false) => "por+sleep",
            (true, false, true) => "por+sym",
            (true, false, false) => "por",
            (false, _, true) => "sym",
            _ => "none",
        },
    };
}
