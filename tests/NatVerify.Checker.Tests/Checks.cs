using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

/// <summary>Shorthands for building and running a checker in tests.</summary>
public static class Checks
{
    public static CheckerOptions Bfs { get; } = new() { Order = SearchOrder.BreadthFirst };

    public static CheckerOptions Dfs { get; } = new() { Order = SearchOrder.DepthFirst };

    public static CheckerOptions For(SearchOrder order) => new() { Order = order };

    public static CheckResult<TState, TAction> Run<TState, TAction>(
        ITransitionSystem<TState, TAction> system,
        IStateEncoder<TState> encoder,
        CheckerOptions options,
        IExplorationObserver<TState, TAction>? observer = null,
        CancellationToken cancellationToken = default,
        params Invariant<TState>[] invariants)
    {
        return new ModelChecker<TState, TAction>(system, encoder, invariants, options, observer).Run(cancellationToken);
    }

    public static Verified<TState, TAction> AssertVerified<TState, TAction>(CheckResult<TState, TAction> result)
    {
        return Assert.IsType<Verified<TState, TAction>>(result);
    }

    public static Violated<TState, TAction> AssertViolated<TState, TAction>(CheckResult<TState, TAction> result)
    {
        return Assert.IsType<Violated<TState, TAction>>(result);
    }

    public static Inconclusive<TState, TAction> AssertInconclusive<TState, TAction>(CheckResult<TState, TAction> result, BoundKind bound)
    {
        Inconclusive<TState, TAction> inconclusive = Assert.IsType<Inconclusive<TState, TAction>>(result);
        Assert.Equal(bound, inconclusive.Bound);
        Assert.False(string.IsNullOrWhiteSpace(inconclusive.Detail));
        return inconclusive;
    }

    /// <summary>Stats with the elapsed time zeroed, for comparing two runs.</summary>
    public static ExplorationStats Untimed(ExplorationStats stats) => stats with { Elapsed = TimeSpan.Zero };
}
