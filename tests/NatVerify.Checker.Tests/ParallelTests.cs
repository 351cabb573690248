using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// Breadth-first search with two workers gives exactly the single-threaded result: verdict, counts, depth, terminal
/// states in the same order, and the same traces, including under the state and depth bounds and when stopping at
/// the first violation.
/// </summary>
public sealed class ParallelTests
{
    private static CheckerOptions Two => Checks.Bfs with { Workers = 2 };

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(120)]
    public void Two_workers_store_the_same_states_and_transitions(int n)
    {
        var system = new TwoCounters(n);
        AssertSame(Checks.Run(system, system, Checks.Bfs), Checks.Run(system, system, Two));
    }

    [Fact]
    public void Two_workers_find_the_same_shortest_violation_and_stop_at_the_same_state()
    {
        var system = new DieHard();
        Violated<(int Small, int Big), string> one = Checks.AssertViolated(Checks.Run(system, system, Checks.Bfs, invariants: DieHard.BigNotFour));
        Violated<(int Small, int Big), string> two = Checks.AssertViolated(Checks.Run(system, system, Two, invariants: DieHard.BigNotFour));
        AssertSame(one, two);
        Assert.Equal(14, two.Stats.StatesStored);
        Assert.Equal(one.Trace.Steps, two.Trace.Steps);
    }

    [Fact]
    public void Two_workers_keep_exploring_after_a_violation_when_asked()
    {
        var system = new DieHard();
        CheckerOptions keepGoing = Checks.Bfs with { StopAtFirstViolation = false };
        AssertSame(
            Checks.Run(system, system, keepGoing, invariants: DieHard.BigNotFour),
            Checks.Run(system, system, keepGoing with { Workers = 2 }, invariants: DieHard.BigNotFour));
    }

    [Theory]
    [InlineData(50, null)]
    [InlineData(null, 5)]
    [InlineData(1000, 7)]
    public void Two_workers_hit_bounds_at_the_same_point(int? maxStates, int? maxDepth)
    {
        var system = new TwoCounters(30);
        CheckerOptions options = Checks.Bfs with { MaxStates = maxStates, MaxDepth = maxDepth };
        AssertSame(Checks.Run(system, system, options), Checks.Run(system, system, options with { Workers = 2 }));
    }

    [Fact]
    public void Two_workers_report_terminal_states_in_the_same_order_with_replayable_traces()
    {
        var system = new BinaryTree(9);
        var one = new RecordingObserver<(int Bits, int Length), string>();
        var two = new RecordingObserver<(int Bits, int Length), string>();
        AssertSame(Checks.Run(system, system, Checks.Bfs, one), Checks.Run(system, system, Two, two));
        Assert.Equal(one.Terminals.Select(t => t.State), two.Terminals.Select(t => t.State));
        foreach (((int Bits, int Length) state, Trace<(int Bits, int Length), string>? trace) in two.Terminals)
        {
            Assert.Equal(state, TraceReplay.FinalState(system, trace!));
        }
    }

    [Fact]
    public void Two_workers_agree_under_partial_order_reduction()
    {
        var system = new IndependentCounters(4, 3);
        CheckerOptions por = Checks.Bfs with { PartialOrderReduction = true };
        AssertSame(Checks.Run(system, system, por), Checks.Run(system, system, por with { Workers = 2 }));
    }

    [Fact]
    public void Other_worker_counts_are_rejected()
    {
        var system = new TwoCounters(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelChecker<(int A, int B), string>(system, system, [], new CheckerOptions { Workers = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelChecker<(int A, int B), string>(system, system, [], new CheckerOptions { Workers = 0 }));
    }

    private static void AssertSame<TState, TAction>(CheckResult<TState, TAction> one, CheckResult<TState, TAction> two)
    {
        Assert.Equal(one.GetType(), two.GetType());
        Assert.Equal(1, one.Stats.Workers);
        Assert.Equal(2, two.Stats.Workers);
        Assert.Equal(one.Stats.StatesStored, two.Stats.StatesStored);
        Assert.Equal(one.Stats.Transitions, two.Stats.Transitions);
        Assert.Equal(one.Stats.TerminalStates, two.Stats.TerminalStates);
        Assert.Equal(one.Stats.MaxDepthReached, two.Stats.MaxDepthReached);
        Assert.Equal(one.Stats.ReducedExpansions, two.Stats.ReducedExpansions);
        if (one is Inconclusive<TState, TAction> a && two is Inconclusive<TState, TAction> b)
        {
            Assert.Equal(a.Bound, b.Bound);
        }
    }
}
