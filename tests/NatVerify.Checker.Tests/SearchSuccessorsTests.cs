using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

/// <summary>
/// A system implementing <see cref="ISearchSuccessors{TState, TAction}"/> is searched with its lean labels, and its
/// counterexamples and terminal traces are rebuilt with the full labels of <see cref="ITransitionSystem{TState, TAction}.Successors"/>.
/// </summary>
public sealed class SearchSuccessorsTests
{
    [Theory]
    [InlineData(SearchOrder.BreadthFirst, 1)]
    [InlineData(SearchOrder.BreadthFirst, 2)]
    [InlineData(SearchOrder.DepthFirst, 1)]
    public void Search_uses_lean_labels_and_traces_carry_the_full_ones(SearchOrder order, int workers)
    {
        var system = new Counter(12);
        var observer = new RecordingObserver<int, string>();
        var options = new CheckerOptions { Order = order, Workers = workers, StopAtFirstViolation = false };
        CheckResult<int, string> result = Checks.Run(system, system, options, observer, default, new Invariant<int>("below-9", "below 9", s => s < 9 ? null : "9 reached"));
        Violated<int, string> violated = Checks.AssertViolated(result);
        Assert.Equal(25, violated.Stats.StatesStored);
        Assert.True(system.SearchCalls >= 24);
        Assert.All(violated.Trace.Steps, s => Assert.EndsWith("(detail)", s.Action, StringComparison.Ordinal));
        Assert.NotEmpty(observer.Terminals);
        Assert.All(observer.Terminals, t => Assert.All(t.Trace!.Steps, s => Assert.EndsWith("(detail)", s.Action, StringComparison.Ordinal)));
    }

    /// <summary>States -12..12 reached from 0 by +1 or -1 steps; labels carry "(detail)" only from Successors.</summary>
    private sealed class Counter(int n) : ISearchSuccessors<int, string>, IStateEncoder<int>
    {
        private int _searchCalls;

        public int SearchCalls => Volatile.Read(ref _searchCalls);

        public IReadOnlyList<int> InitialStates { get; } = [0];

        public void Successors(int state, List<Transition<int, string>> sink) => Add(state, sink, " (detail)");

        public void SearchSuccessors(int state, List<Transition<int, string>> sink)
        {
            Interlocked.Increment(ref _searchCalls);
            Add(state, sink, string.Empty);
        }

        public void Encode(int state, StateWriter writer) => writer.WriteInt32(state);

        private void Add(int state, List<Transition<int, string>> sink, string detail)
        {
            if (state >= 0 && state < n)
            {
                sink.Add(new("up" + detail, state + 1));
            }

            if (state <= 0 && state > -n)
            {
                sink.Add(new("down" + detail, state - 1));
            }
        }
    }
}
