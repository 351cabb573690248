using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// Footprint-based partial-order reduction (<see cref="IStepFootprints{TState, TAction}"/>): the engine's stubborn
/// sets keep every terminal state and the reachability of every invariant violation, on random systems of threads
/// sharing variables, and reduce where steps are independent.
/// </summary>
public sealed class FootprintReductionTests
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
    public void Stubborn_sets_keep_terminal_states_and_violations_of_random_shared_variable_programs(int seed)
    {
        // Bounds: 2-3 threads of at most 4 operations over three variables with values 0-2 (seed printed by the test name).
        var system = SharedVariables.Random(new System.Random(seed));
        foreach (SearchOrder order in new[] { SearchOrder.BreadthFirst, SearchOrder.DepthFirst })
        {
            var fullTerminals = new RecordingObserver<SharedVariables.State, (int, int)>();
            var reducedTerminals = new RecordingObserver<SharedVariables.State, (int, int)>();
            CheckResult<SharedVariables.State, (int, int)> full = Checks.Run(system, system, Checks.For(order) with { StopAtFirstViolation = false }, fullTerminals, default, system.NotBad);
            CheckResult<SharedVariables.State, (int, int)> reduced = Checks.Run(
                system, system, Checks.For(order) with { StopAtFirstViolation = false, PartialOrderReduction = true }, reducedTerminals, default, system.NotBad);

            Assert.Equal(full.GetType(), reduced.GetType());
            Assert.True(reduced.Stats.StatesStored <= full.Stats.StatesStored, system.ToString());
            Assert.Equal(
                fullTerminals.Terminals.Select(s => s.State.ToString()).Order(StringComparer.Ordinal),
                reducedTerminals.Terminals.Select(s => s.State.ToString()).Order(StringComparer.Ordinal));
            if (reduced is Violated<SharedVariables.State, (int, int)> violated)
            {
                Assert.NotNull(system.NotBad.Check(TraceReplay.FinalState(system, violated.Trace)));
            }
        }
    }

    [Fact]
    public void Threads_on_private_variables_are_explored_along_one_interleaving()
    {
        // Three threads, each writing only its own variable twice: 27 states unreduced, 7 along one interleaving.
        var ops = Enumerable.Range(0, 3)
            .Select(t => new[] { new SharedVariables.Op(SharedVariables.Kind.Write, t, 0, 1, 0), new SharedVariables.Op(SharedVariables.Kind.Write, t, 0, 2, 0) })
            .ToList();
        var system = new SharedVariables(ops, bad: 7);
        ExplorationStats full = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs)).Stats;
        ExplorationStats reduced = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { PartialOrderReduction = true })).Stats;
        Assert.Equal(27, full.StatesStored);
        Assert.True(reduced.StatesStored < full.StatesStored);
        Assert.Equal(1, reduced.TerminalStates);
    }

    [Fact]
    public void A_thread_whose_future_reads_what_another_writes_is_not_left_behind()
    {
        // Thread 0 writes x1 := 1; thread 1 awaits x1 == 1 and then writes x0 := 2 (bad). Thread 1 is blocked, so
        // thread 0's write alone is expanded, and the violation is still found.
        var system = new SharedVariables(
            [
                [new SharedVariables.Op(SharedVariables.Kind.Write, 1, 0, 1, 0), new SharedVariables.Op(SharedVariables.Kind.Local, 0, 0, 0, 0)],
                [new SharedVariables.Op(SharedVariables.Kind.Await, 1, 0, 1, 0), new SharedVariables.Op(SharedVariables.Kind.Write, 0, 0, 2, 0)],
                [new SharedVariables.Op(SharedVariables.Kind.Write, 0, 0, 0, 0)],
            ],
            bad: 2);
        Checks.AssertViolated(Checks.Run(system, system, Checks.Bfs with { PartialOrderReduction = true }, invariants: system.NotBad));
    }
}
