namespace NatVerify.Checker.Random;

/// <summary>Seed, strategy and budgets of a <see cref="RandomExplorer{TState, TAction}"/> run.</summary>
public sealed record RandomOptions
{
    /// <summary>Gets the seed every random choice of the run derives from; schedule n uses <see cref="SplitMix64.Derive"/>(seed, n).</summary>
    public ulong Seed { get; init; }

    /// <summary>Gets the strategy; random walks by default.</summary>
    public RandomStrategy Strategy { get; init; } = RandomStrategy.RandomWalk;

    /// <summary>Gets the number of schedules to run, or <see langword="null"/> to run until <see cref="Timeout"/>.</summary>
    public long? MaxSchedules { get; init; } = 1000;

    /// <summary>Gets the wall-clock budget, or <see langword="null"/> for none (then <see cref="MaxSchedules"/> must be set).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the longest schedule: a walk that has not reached a terminal state after this many steps ends there.</summary>
    public int MaxSteps { get; init; } = 1000;

    /// <summary>Gets the PCT bug depth d (d-1 priority change points per schedule); at least 1.</summary>
    public int PctDepth { get; init; } = 3;

    /// <summary>Gets how many replays the shrinker may spend on a failing schedule.</summary>
    public int ShrinkBudget { get; init; } = 5000;

    /// <summary>Gets the minimum interval between two progress reports.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);
}
