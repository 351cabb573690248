using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// The lazy stubborn-set expansion (<see cref="IProcessSuccessors{TState, TAction}"/>: the set is chosen from per-process
/// footprints, then only the successors it needs are built) explores exactly the reduced graph of the eager one (every
/// successor built, then the set selected): on 400 random shared-variable programs of 2-3 threads (at most 4 operations
/// each, nondeterministic choices giving processes different step counts, so the smallest set matters), breadth-first,
/// depth-first and with two workers, the verdict, stored states, transitions, terminal states, reduced expansions, depth,
/// the terminal states in discovery order with their traces and the counterexample are the same.
/// </summary>
public sealed class LazyReductionTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 400; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Lazy_expansion_explores_the_eager_reduced_graph_of_random_shared_variable_programs(int seed)
    {
        var system = new ByProcess(SharedVariables.Random(new System.Random(seed)));
        var orders = new[]
        {
            Checks.Bfs with { StopAtFirstViolation = false, PartialOrderReduction = true },
            Checks.Dfs with { StopAtFirstViolation = false, PartialOrderReduction = true },
            Checks.Bfs with { StopAtFirstViolation = false, PartialOrderReduction = true, Workers = 2 },
        };
        foreach (CheckerOptions options in orders)
        {
            var eagerTerminals = new RecordingObserver<SharedVariables.State, (int, int)>();
            var lazyTerminals = new RecordingObserver<SharedVariables.State, (int, int)>();
            var eager = Checks.Run(system, system, options with { LazyReduction = false }, eagerTerminals, default, system.Inner.NotBad);
            var lazy = Checks.Run(system, system, options, lazyTerminals, default, system.Inner.NotBad);

            Assert.Equal(eager.GetType(), lazy.GetType());
            Assert.Equal(eager.Stats.StatesStored, lazy.Stats.StatesStored);
            Assert.Equal(eager.Stats.Transitions, lazy.Stats.Transitions);
            Assert.Equal(eager.Stats.TerminalStates, lazy.Stats.TerminalStates);
            Assert.Equal(eager.Stats.ReducedExpansions, lazy.Stats.ReducedExpansions);
            Assert.Equal(eager.Stats.MaxDepthReached, lazy.Stats.MaxDepthReached);
            Assert.Equal(eagerTerminals.Terminals.Select(t => Show(t.Trace!)), lazyTerminals.Terminals.Select(t => Show(t.Trace!)));
            if (eager is Violated<SharedVariables.State, (int, int)> e)
            {
                Assert.Equal(Show(e.Trace), Show(((Violated<SharedVariables.State, (int, int)>)lazy).Trace));
            }
        }
    }

    [Fact]
    public void Lazy_expansion_builds_only_the_chosen_process_when_threads_are_independent()
    {
        // Three threads writing only their own variable twice; thread 0's writes of x[0] are visible (the invariant reads
        // x[0]), so the lazy search builds thread 0's step to learn that, then thread 1's, which it keeps: two successors
        // per state while three (then two) threads are running, one per state after; the eager search builds them all
        // (3 + 3 + 2 + 2 + 1 + 1 = 12).
        var ops = Enumerable.Range(0, 3)
            .Select(t => new[] { new SharedVariables.Op(SharedVariables.Kind.Write, t, 0, 1, 0), new SharedVariables.Op(SharedVariables.Kind.Write, t, 0, 2, 0) })
            .ToList();
        var system = new ByProcess(new SharedVariables(ops, bad: 7));
        Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { PartialOrderReduction = true, LazyReduction = false }));
        long eager = system.Built;
        system.Built = 0;
        ExplorationStats stats = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { PartialOrderReduction = true })).Stats;
        Assert.Equal(7, stats.StatesStored);
        Assert.Equal(12, eager);
        Assert.Equal(2 + 2 + 2 + 2 + 1 + 1, system.Built);
    }

    private static string Show(Trace<SharedVariables.State, (int, int)> trace) =>
        string.Join(" ", trace.Steps.Select(s => $"{s.Action}->{s.Next}"));

    /// <summary>The shared-variable system one thread at a time; counts the successors it builds.</summary>
    private sealed class ByProcess(SharedVariables inner)
        : ITransitionSystem<SharedVariables.State, (int Thread, int Choice)>, IStateEncoder<SharedVariables.State>,
          IProcessSuccessors<SharedVariables.State, (int Thread, int Choice)>
    {
        public SharedVariables Inner => inner;

        public long Built { get; set; }

        public IReadOnlyList<SharedVariables.State> InitialStates => inner.InitialStates;

        public int ProcessCount => inner.ProcessCount;

        public void Successors(SharedVariables.State state, List<Transition<SharedVariables.State, (int Thread, int Choice)>> sink)
        {
            int before = sink.Count;
            inner.Successors(state, sink);
            Built += sink.Count - before;
        }

        public void ProcessSuccessors(SharedVariables.State state, int process, List<Transition<SharedVariables.State, (int Thread, int Choice)>> sink)
        {
            var all = new List<Transition<SharedVariables.State, (int Thread, int Choice)>>();
            inner.Successors(state, all);
            foreach (var t in all.Where(t => t.Action.Thread == process))
            {
                sink.Add(t);
                Built++;
            }
        }

        public bool HasEnabledSteps(SharedVariables.State state, int process) => StepsOf(state, process).Count > 0;

        public void EnabledFootprint(SharedVariables.State state, int process, Footprint footprint)
        {
            foreach (var t in StepsOf(state, process))
            {
                inner.StepFootprint(state, t.Action, footprint);
            }
        }

        public void Encode(SharedVariables.State state, StateWriter writer) => inner.Encode(state, writer);

        public int ProcessOf((int Thread, int Choice) action) => inner.ProcessOf(action);

        public void StepFootprint(SharedVariables.State state, (int Thread, int Choice) action, Footprint footprint) => inner.StepFootprint(state, action, footprint);

        public void FutureFootprint(SharedVariables.State state, int process, Footprint footprint) => inner.FutureFootprint(state, process, footprint);

        public bool IsVisible(SharedVariables.State state, (int Thread, int Choice) action) => inner.IsVisible(state, action);

        public long Progress(SharedVariables.State state) => inner.Progress(state);

        // Enabledness and footprints come from the state (steps listed without counting them as built).
        private List<Transition<SharedVariables.State, (int Thread, int Choice)>> StepsOf(SharedVariables.State state, int process)
        {
            var all = new List<Transition<SharedVariables.State, (int Thread, int Choice)>>();
            inner.Successors(state, all);
            return all.FindAll(t => t.Action.Thread == process);
        }
    }
}
