using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

public sealed class ObserverTests
{
    [Theory]
    [InlineData(SearchOrder.BreadthFirst, 0)]
    [InlineData(SearchOrder.BreadthFirst, 5)]
    [InlineData(SearchOrder.DepthFirst, 0)]
    [InlineData(SearchOrder.DepthFirst, 5)]
    public void Terminal_states_are_reported_exactly_once_each_with_replayable_traces(SearchOrder order, int k)
    {
        var system = new BinaryTree(k);
        var observer = new RecordingObserver<(int Bits, int Length), string>();
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.For(order), observer)).Stats;

        int leaves = 1 << k;
        Assert.Equal(leaves, stats.TerminalStates);
        Assert.Equal((2L * leaves) - 1, stats.StatesStored);
        Assert.Equal((2L * leaves) - 2, stats.Transitions);
        Assert.Equal(leaves, observer.Terminals.Count);
        Assert.Equal(leaves, observer.Terminals.Select(t => t.State).Distinct().Count());
        foreach (((int Bits, int Length) state, Trace<(int Bits, int Length), string>? trace) in observer.Terminals)
        {
            Assert.NotNull(trace);
            Assert.Equal(k, state.Length);
            Assert.Equal(k, trace.Length);
            Assert.Equal(state, trace.Final);
            Assert.Equal(state, TraceReplay.FinalState(system, trace));
        }
    }

    [Theory]
    [InlineData(SearchOrder.BreadthFirst)]
    [InlineData(SearchOrder.DepthFirst)]
    public void A_terminal_state_reached_by_many_paths_is_reported_once(SearchOrder order)
    {
        // (4, 4) is reached by C(8, 4) = 70 different paths.
        var system = new TwoCounters(4);
        var observer = new RecordingObserver<(int A, int B), string>();
        Checks.AssertVerified(Checks.Run(system, system, Checks.For(order), observer));

        (var state, var trace) = Assert.Single(observer.Terminals);
        Assert.Equal((4, 4), state);
        Assert.NotNull(trace);
        Assert.Equal(8, trace.Length);
        Assert.Equal((4, 4), TraceReplay.FinalState(system, trace));
    }

    [Fact]
    public void Terminal_trace_factories_stay_valid_after_the_run()
    {
        var system = new ShortRuns(0, 10, 20);
        var factories = new List<Func<Trace<int, string>>>();
        var observer = new FactoryCollector(factories);
        Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs, observer));

        Assert.Equal(3, factories.Count);
        int[] finals = [.. factories.Select(f => TraceReplay.FinalState(system, f()))];
        Assert.Equal([4, 14, 24], finals.Order());
    }

    [Fact]
    public void Terminal_states_are_counted_and_reported_without_building_traces()
    {
        var system = new ShortRuns(0, 10, 20);
        var observer = new RecordingObserver<int, string>(buildTraces: false);
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs, observer)).Stats;

        Assert.Equal(3, stats.TerminalStates);
        Assert.Equal([4, 14, 24], observer.Terminals.Select(t => t.State));
    }

    [Fact]
    public void Progress_is_reported_with_non_decreasing_counts_when_the_interval_elapses()
    {
        var system = new TwoCounters(30);
        var observer = new RecordingObserver<(int A, int B), string>(buildTraces: false);
        Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { ProgressInterval = TimeSpan.Zero }, observer));

        Assert.NotEmpty(observer.Progress);
        for (int i = 1; i < observer.Progress.Count; i++)
        {
            Assert.True(observer.Progress[i].StatesStored >= observer.Progress[i - 1].StatesStored);
            Assert.True(observer.Progress[i].Transitions >= observer.Progress[i - 1].Transitions);
        }
    }

    [Fact]
    public void Progress_is_not_reported_before_the_interval_elapses()
    {
        var system = new TwoCounters(30);
        var observer = new RecordingObserver<(int A, int B), string>(buildTraces: false);
        Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { ProgressInterval = TimeSpan.FromHours(1) }, observer));

        Assert.Empty(observer.Progress);
    }

    private sealed class FactoryCollector(List<Func<Trace<int, string>>> factories) : IExplorationObserver<int, string>
    {
        public void OnProgress(ExplorationStats stats)
        {
        }

        public void OnTerminal(int state, Func<Trace<int, string>> traceFactory)
        {
            factories.Add(traceFactory);
        }
    }
}
