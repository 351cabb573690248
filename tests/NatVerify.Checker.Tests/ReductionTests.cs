using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// Partial-order reduction in the engine: with a model's independence it keeps one process's steps where they form
/// an invisible, progress-making persistent set, and otherwise expands every step.
/// </summary>
public sealed class ReductionTests
{
    [Theory]
    [InlineData(SearchOrder.BreadthFirst, 3, 4)]
    [InlineData(SearchOrder.DepthFirst, 3, 4)]
    [InlineData(SearchOrder.BreadthFirst, 5, 2)]
    public void Fully_independent_processes_are_explored_along_one_interleaving(SearchOrder order, int processes, int max)
    {
        var system = new IndependentCounters(processes, max);
        ExplorationStats full = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order))).Stats;
        ExplorationStats reduced = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order) with { PartialOrderReduction = true })).Stats;

        Assert.Equal(IndependentCounters.Pow(max + 1, processes), full.StatesStored);
        Assert.Equal(0, full.ReducedExpansions);
        Assert.Equal((processes * max) + 1, reduced.StatesStored);
        Assert.Equal(processes * max, reduced.Transitions);
        Assert.Equal(1, reduced.TerminalStates);

        // Every state but the last process's run has at least two processes enabled and is reduced.
        Assert.Equal((processes - 1) * max, reduced.ReducedExpansions);
    }

    [Fact]
    public void Reduction_is_ignored_without_the_option_or_without_an_independence()
    {
        var system = new IndependentCounters(3, 3);
        ExplorationStats off = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs)).Stats;
        var twoCounters = new TwoCounters(3);
        ExplorationStats none = Checks.AssertVerified(Checks.Run(twoCounters, twoCounters, Checks.Bfs with { PartialOrderReduction = true })).Stats;
        Assert.Equal(64, off.StatesStored);
        Assert.Equal(16, none.StatesStored);
    }

    [Fact]
    public void Visible_steps_are_never_the_only_ones_kept_so_violations_stay_reachable()
    {
        // Reaching 2 is visible, and the invariant (counter 2 never finishes before counter 0) only changes when a
        // counter reaches 2. The single interleaving "process 0 first" would never see the violation.
        var system = new IndependentCounters(3, 2, visibleValue: 2);
        var invariant = new Invariant<long>("p2-before-p0", "counter 2 does not reach 2 before counter 0", s => system.Digit(s, 2) == 2 && system.Digit(s, 0) != 2 ? "reached" : null);
        Violated<long, (int Process, int To)> violated = Checks.AssertViolated(
            Checks.Run(system, system, Checks.Bfs with { PartialOrderReduction = true }, invariants: invariant));

        long final = TraceReplay.FinalState(system, violated.Trace);
        Assert.Equal(2, system.Digit(final, 2));
        Assert.NotEqual(2, system.Digit(final, 0));
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Without_progress_no_state_is_reduced_so_cycles_cannot_hide_steps(SearchOrder order)
    {
        var system = new IndependentCounters(2, 3, cyclic: true);
        ExplorationStats full = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order))).Stats;
        ExplorationStats reduced = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order) with { PartialOrderReduction = true })).Stats;
        Assert.Equal(16, reduced.StatesStored);
        Assert.Equal(Checks.Untimed(full), Checks.Untimed(reduced));
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void Compact_encodings_are_exact_even_for_the_value_whose_mix_is_zero(SearchOrder order)
    {
        Assert.Equal(0UL, Fingerprint.Mix(MixZero.Zero));
        var system = new MixZero();
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order))).Stats;
        Assert.Equal(3, stats.StatesStored);
        Assert.Equal(3, stats.Transitions);
        Assert.True(stats.ExactStates);
        Assert.Equal(0.0, stats.CollisionProbability);
    }

    [Fact]
    public void Byte_encodings_report_the_birthday_bound()
    {
        var system = new TwoCounters(10);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs)).Stats;
        Assert.False(stats.ExactStates);
        Assert.True(stats.CollisionProbability > 0);
    }

    [Fact]
    public void Expected_states_size_the_table_up_front()
    {
        var system = new TwoCounters(10);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { ExpectedStates = 100_000 })).Stats;
        Assert.Equal(121, stats.StatesStored);
        Assert.Equal((1L << 18) * sizeof(ulong), stats.FingerprintSetBytes);
    }
}
