using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

public sealed class BoundTests
{
    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Max_states_bound_yields_inconclusive_after_storing_exactly_the_limit(SearchOrder order)
    {
        var system = new TwoCounters(10);
        CheckerOptions options = Checks.For(order) with { MaxStates = 50 };
        Inconclusive<(int A, int B), string> result = Checks.AssertInconclusive(Checks.Run(system, system, options), BoundKind.MaxStates);

        Assert.Equal(50, result.Stats.StatesStored);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Max_states_equal_to_the_space_size_is_verified(SearchOrder order)
    {
        var system = new TwoCounters(10);
        CheckerOptions options = Checks.For(order) with { MaxStates = TwoCounters.StateCount(10) };
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, options)).Stats;

        Assert.Equal(121, stats.StatesStored);
    }

    [Fact]
    public void Max_states_zero_with_a_non_empty_space_is_inconclusive_with_nothing_stored()
    {
        var system = new TwoCounters(3);
        Inconclusive<(int A, int B), string> result = Checks.AssertInconclusive(
            Checks.Run(system, system, Checks.Bfs with { MaxStates = 0 }), BoundKind.MaxStates);

        Assert.Equal(0, result.Stats.StatesStored);
    }

    [Fact]
    public void Bfs_max_depth_bound_on_a_larger_space_stores_exactly_the_states_within_the_limit()
    {
        var system = new TwoCounters(10);
        Inconclusive<(int A, int B), string> result = Checks.AssertInconclusive(
            Checks.Run(system, system, Checks.Bfs with { MaxDepth = 5 }), BoundKind.MaxDepth);

        // States with a + b <= 5: 1 + 2 + ... + 6 = 21.
        Assert.Equal(21, result.Stats.StatesStored);
        Assert.Equal(5, result.Stats.MaxDepthReached);
    }

    [Fact]
    public void Dfs_max_depth_bound_on_a_larger_space_yields_inconclusive_max_depth()
    {
        var system = new TwoCounters(10);
        Inconclusive<(int A, int B), string> result = Checks.AssertInconclusive(
            Checks.Run(system, system, Checks.Dfs with { MaxDepth = 5 }), BoundKind.MaxDepth);

        // Every path to (a, b) has length a + b, so DFS depths are exact here too.
        Assert.Equal(5, result.Stats.MaxDepthReached);
        Assert.Equal(21, result.Stats.StatesStored);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst, 6)]
    [InlineData(SearchOrder.BreadthFirst, 100)]
    [InlineData(SearchOrder.DepthFirst, 6)]
    [InlineData(SearchOrder.DepthFirst, 100)]
    public void Max_depth_covering_the_whole_space_is_verified_with_the_unbounded_stats(SearchOrder order, int maxDepth)
    {
        var system = new TwoCounters(3);
        ExplorationStats unbounded = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order))).Stats;
        ExplorationStats bounded = Checks.AssertVerified(
            Checks.Run(system, system, Checks.For(order) with { MaxDepth = maxDepth })).Stats;

        Assert.Equal(Checks.Untimed(unbounded), Checks.Untimed(bounded));
        Assert.Equal(16, bounded.StatesStored);
    }

    [Fact]
    public void Bfs_max_depth_is_verified_when_states_at_the_limit_lead_only_to_stored_states()
    {
        // Ring of 5: depth 0 = {0}, 1 = {1, 4}, 2 = {2, 3}; 2 and 3 only lead to each other and to depth-1 states.
        var system = new Ring(5);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { MaxDepth = 2 })).Stats;

        Assert.Equal(5, stats.StatesStored);
        Assert.Equal(10, stats.Transitions);
    }

    [Theory]
    [InlineData(5, 5, false)]
    [InlineData(7, 5, true)]
    public void Dfs_max_depth_is_inconclusive_only_if_pruned_successors_are_never_stored_by_another_path(
        int ringSize, long expectedStored, bool expectInconclusive)
    {
        // DFS on a ring with limit 2 stores 0, 1, 2 (prunes 3), then 4 and 3 via Dec from 0 (ring of 5: 3 gets stored
        // after all, so the space fits) or 6 and 5 (ring of 7: 3 and 4 are never stored).
        var system = new Ring(ringSize);
        CheckResult<int, string> result = Checks.Run(system, system, Checks.Dfs with { MaxDepth = 2 });

        if (expectInconclusive)
        {
            Checks.AssertInconclusive(result, BoundKind.MaxDepth);
        }
        else
        {
            Checks.AssertVerified(result);
        }

        Assert.Equal(expectedStored, result.Stats.StatesStored);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Max_depth_zero_checks_only_the_initial_states(SearchOrder order)
    {
        var system = new ShortRuns(0, 10, 20);
        Inconclusive<int, string> result = Checks.AssertInconclusive(
            Checks.Run(system, system, Checks.For(order) with { MaxDepth = 0 }), BoundKind.MaxDepth);

        Assert.Equal(3, result.Stats.StatesStored);
        Assert.Equal(0, result.Stats.MaxDepthReached);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Timeout_on_an_infinite_counter_yields_inconclusive_timeout(SearchOrder order)
    {
        var system = new InfiniteCounter();
        CheckerOptions options = Checks.For(order) with { Timeout = TimeSpan.FromMilliseconds(50) };
        Inconclusive<long, string> result = Checks.AssertInconclusive(Checks.Run(system, system, options), BoundKind.Timeout);

        Assert.True(result.Stats.StatesStored > 0);
        Assert.True(result.Stats.Elapsed >= TimeSpan.FromMilliseconds(50));
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Cancelling_the_token_during_a_run_yields_inconclusive_cancelled(SearchOrder order)
    {
        var system = new InfiniteCounter();
        using var cancellation = new CancellationTokenSource();
        var observer = new RecordingObserver<long, string>(onProgress: _ => cancellation.Cancel());
        CheckerOptions options = Checks.For(order) with { ProgressInterval = TimeSpan.Zero };

        Inconclusive<long, string> result = Checks.AssertInconclusive(
            Checks.Run(system, system, options, observer, cancellation.Token), BoundKind.Cancelled);

        Assert.Single(observer.Progress);
        Assert.True(result.Stats.StatesStored > 0);
    }

    [Fact]
    public void An_already_cancelled_token_yields_inconclusive_cancelled_with_nothing_stored()
    {
        var system = new InfiniteCounter();
        Inconclusive<long, string> result = Checks.AssertInconclusive(
            Checks.Run(system, system, Checks.Bfs, cancellationToken: new CancellationToken(true)), BoundKind.Cancelled);

        Assert.Equal(0, result.Stats.StatesStored);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Max_memory_bound_yields_inconclusive_max_memory_at_the_first_4096_state_check(SearchOrder order)
    {
        var system = new InfiniteCounter();
        Inconclusive<long, string> result = Checks.AssertInconclusive(
            Checks.Run(system, system, Checks.For(order) with { MaxMemoryBytes = 1 }), BoundKind.MaxMemory);

        Assert.Equal(4096, result.Stats.StatesStored);
    }

    [Fact]
    public void A_violation_found_before_a_bound_is_hit_is_still_violated()
    {
        var system = new TwoCounters(10);
        var aNot1 = new Invariant<(int A, int B)>("a-not-1", "a != 1", s => s.A == 1 ? "a is 1" : null);
        CheckerOptions options = Checks.Bfs with { StopAtFirstViolation = false, MaxStates = 20 };

        Violated<(int A, int B), string> violated = Checks.AssertViolated(Checks.Run(system, system, options, invariants: aNot1));

        Assert.Equal(1, violated.Trace.Length);
        Assert.Equal(20, violated.Stats.StatesStored);
    }

    [Fact]
    public void Negative_bounds_are_rejected_when_the_checker_is_constructed()
    {
        var system = new TwoCounters(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelChecker<(int A, int B), string>(system, system, [], new CheckerOptions { MaxStates = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelChecker<(int A, int B), string>(system, system, [], new CheckerOptions { MaxDepth = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelChecker<(int A, int B), string>(system, system, [], new CheckerOptions { MaxMemoryBytes = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelChecker<(int A, int B), string>(system, system, [], new CheckerOptions { Timeout = TimeSpan.FromSeconds(-1) }));
    }
}
