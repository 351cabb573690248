using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

public sealed class ExplorationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void Bfs_two_bounded_counters_stores_exactly_N_plus_1_squared_states(int n)
    {
        var system = new TwoCounters(n);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs)).Stats;

        Assert.Equal(TwoCounters.StateCount(n), stats.StatesStored);
        Assert.Equal(TwoCounters.TransitionCount(n), stats.Transitions);
        Assert.Equal(2 * n, stats.MaxDepthReached);
        Assert.Equal(1, stats.TerminalStates);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(40)]
    public void Dfs_two_bounded_counters_stores_the_same_states_transitions_and_terminals_as_bfs(int n)
    {
        var system = new TwoCounters(n);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Dfs)).Stats;

        Assert.Equal(TwoCounters.StateCount(n), stats.StatesStored);
        Assert.Equal(TwoCounters.TransitionCount(n), stats.Transitions);
        Assert.Equal(1, stats.TerminalStates);

        // DFS dives along IncA first, so the deepest stored state lies on a monotone path of length 2N.
        Assert.Equal(2 * n, stats.MaxDepthReached);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Die_hard_jugs_reach_exactly_16_states_through_96_transitions(SearchOrder order)
    {
        var system = new DieHard();
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order))).Stats;

        Assert.Equal(16, stats.StatesStored);
        Assert.Equal(16 * 6, stats.Transitions);
        Assert.Equal(0, stats.TerminalStates);
        if (order == SearchOrder.BreadthFirst)
        {
            Assert.Equal(7, stats.MaxDepthReached);
        }
    }

    [Fact]
    public void Bfs_finds_the_shortest_die_hard_trace_to_4_gallons_in_6_steps()
    {
        var system = new DieHard();
        Violated<(int Small, int Big), string> violated = Checks.AssertViolated(
            Checks.Run(system, system, Checks.Bfs, invariants: DieHard.BigNotFour));

        Assert.Same(DieHard.BigNotFour, violated.Invariant);
        Assert.Equal("big jug holds 4 (small 3)", violated.Message);
        Assert.Equal(6, violated.Trace.Length);
        Assert.Equal((0, 0), violated.Trace.Initial);
        Assert.Equal((3, 4), violated.Trace.Final);
        Assert.Equal(
            ["FillBig", "BigToSmall", "EmptySmall", "BigToSmall", "FillBig", "BigToSmall"],
            violated.Trace.Steps.Select(s => s.Action));
        Assert.Equal((3, 4), TraceReplay.FinalState(system, violated.Trace));
    }

    [Fact]
    public void Dfs_finds_a_replayable_die_hard_trace_at_least_as_long_as_the_shortest()
    {
        var system = new DieHard();
        Violated<(int Small, int Big), string> violated = Checks.AssertViolated(
            Checks.Run(system, system, Checks.Dfs, invariants: DieHard.BigNotFour));

        Assert.True(violated.Trace.Length >= 6);
        Assert.Equal(4, TraceReplay.FinalState(system, violated.Trace).Big);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void StopAtFirstViolation_false_keeps_exploring_and_reports_full_stats_with_the_first_violation(SearchOrder order)
    {
        var system = new DieHard();
        CheckerOptions options = Checks.For(order) with { StopAtFirstViolation = false };
        Violated<(int Small, int Big), string> violated = Checks.AssertViolated(
            Checks.Run(system, system, options, invariants: DieHard.BigNotFour));

        Assert.Equal(16, violated.Stats.StatesStored);
        Assert.Equal(96, violated.Stats.Transitions);
        Assert.Equal(4, TraceReplay.FinalState(system, violated.Trace).Big);
        if (order == SearchOrder.BreadthFirst)
        {
            Assert.Equal(6, violated.Trace.Length);
        }
    }

    [Fact]
    public void Stopping_at_the_first_violation_stores_fewer_states_than_the_full_space()
    {
        var system = new DieHard();
        Violated<(int Small, int Big), string> violated = Checks.AssertViolated(
            Checks.Run(system, system, Checks.Bfs, invariants: DieHard.BigNotFour));

        // Levels 0..5 hold 12 states and (0,1) precedes (3,4) on level 6, so exactly 14 are stored.
        Assert.Equal(14, violated.Stats.StatesStored);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Several_initial_states_are_all_explored_and_duplicate_initial_states_are_stored_once(SearchOrder order)
    {
        // 10 is listed twice and 2 is also reachable from 0.
        var system = new ShortRuns(0, 10, 20, 10, 2);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order))).Stats;

        Assert.Equal(15, stats.StatesStored);
        Assert.Equal(12, stats.Transitions);
        Assert.Equal(3, stats.TerminalStates);
        Assert.Equal(4, stats.MaxDepthReached);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Violation_trace_starts_at_the_initial_state_the_violation_was_reached_from(SearchOrder order)
    {
        var system = new ShortRuns(0, 10, 20);
        var not23 = new Invariant<int>("not-23", "x is never 23", x => x == 23 ? "x is 23" : null);
        Violated<int, string> violated = Checks.AssertViolated(Checks.Run(system, system, Checks.For(order), invariants: not23));

        Assert.Equal(20, violated.Trace.Initial);
        Assert.Equal(3, violated.Trace.Length);
        Assert.Equal(23, TraceReplay.FinalState(system, violated.Trace));
    }

    [Fact]
    public void Invariants_are_checked_in_initial_states_giving_a_zero_step_trace()
    {
        var system = new ShortRuns(0, 10, 20);
        var not10 = new Invariant<int>("not-10", "x is never 10", x => x == 10 ? "x is 10" : null);
        Violated<int, string> violated = Checks.AssertViolated(Checks.Run(system, system, Checks.Bfs, invariants: not10));

        Assert.Equal(0, violated.Trace.Length);
        Assert.Equal(10, violated.Trace.Initial);
        Assert.Equal(10, violated.Trace.Final);
        Assert.Equal(0, violated.Stats.MaxDepthReached);
    }

    [Fact]
    public void The_first_failing_invariant_in_list_order_is_reported()
    {
        var system = new ShortRuns(0);
        var below3 = new Invariant<int>("below-3", "x < 3", x => x >= 3 ? "x >= 3" : null);
        var not3 = new Invariant<int>("not-3", "x != 3", x => x == 3 ? "x is 3" : null);
        Violated<int, string> violated = Checks.AssertViolated(Checks.Run(system, system, Checks.Bfs, invariants: [not3, below3]));

        Assert.Same(not3, violated.Invariant);
        Assert.Equal("x is 3", violated.Message);
    }

    [Fact]
    public void Bfs_trace_on_a_ring_is_shortest_while_dfs_finds_a_longer_replayable_one()
    {
        var system = new Ring(10);
        var not9 = new Invariant<int>("not-9", "x != 9", x => x == 9 ? "x is 9" : null);

        Violated<int, string> bfs = Checks.AssertViolated(Checks.Run(system, system, Checks.Bfs, invariants: not9));
        Violated<int, string> dfs = Checks.AssertViolated(Checks.Run(system, system, Checks.Dfs, invariants: not9));

        Assert.Equal(1, bfs.Trace.Length);
        Assert.Equal("Dec", bfs.Trace.Steps[0].Action);
        Assert.Equal(9, dfs.Trace.Length);
        Assert.All(dfs.Trace.Steps, s => Assert.Equal("Inc", s.Action));
        Assert.Equal(9, TraceReplay.FinalState(system, bfs.Trace));
        Assert.Equal(9, TraceReplay.FinalState(system, dfs.Trace));
    }

    [Fact]
    public void An_empty_set_of_initial_states_is_verified_with_no_states()
    {
        var system = new ShortRuns();
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs)).Stats;

        Assert.Equal(0, stats.StatesStored);
        Assert.Equal(0, stats.Transitions);
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Running_the_same_checker_twice_gives_identical_results(SearchOrder order)
    {
        var system = new DieHard();
        var checker = new ModelChecker<(int Small, int Big), string>(
            system, system, [DieHard.BigNotFour], Checks.For(order) with { StopAtFirstViolation = false });

        Violated<(int Small, int Big), string> first = Checks.AssertViolated(checker.Run());
        Violated<(int Small, int Big), string> second = Checks.AssertViolated(checker.Run());

        Assert.Equal(Checks.Untimed(first.Stats), Checks.Untimed(second.Stats));
        Assert.Equal(first.Trace.Steps, second.Trace.Steps);
    }

    [Fact]
    public void Fingerprint_set_bytes_are_reported_as_a_power_of_two_table_of_ulongs()
    {
        var system = new TwoCounters(50);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs)).Stats;

        long slots = stats.FingerprintSetBytes / sizeof(ulong);
        Assert.True(slots > 0 && (slots & (slots - 1)) == 0);
        Assert.True(stats.StatesStored <= slots * 7 / 10);
    }

    [Fact]
    public void Non_deterministic_successor_order_is_detected_when_a_trace_is_replayed()
    {
        var system = new FlipFlopSuccessors();
        var not2 = new Invariant<int>("not-2", "x != 2", x => x == 2 ? "x is 2" : null);

        Assert.Throws<InvalidOperationException>(() => Checks.Run(system, system, Checks.Bfs, invariants: not2));
    }
}
