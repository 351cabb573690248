using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// Sleep sets (<see cref="CheckerOptions.SleepSets"/>) with state matching. Alone they store every reachable state;
/// with partial-order reduction they keep every terminal state and every violated invariant. Checked on random
/// programs of 2-3 threads sharing three variables (seeds 1-400, breadth- and depth-first, successor lists in program
/// order and permuted per state, so that exploration orders differ between states), and on independent counters
/// whose states are reached by paths of different lengths (so stored states are met again after their expansion and
/// expanded again). They take fewer transitions where steps are independent, and turn themselves off, saying so,
/// where they cannot run.
/// </summary>
public sealed class SleepSetTests
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
    public void Sleep_sets_keep_terminal_states_and_violations_of_random_shared_variable_programs(int seed)
    {
        var inner = SharedVariables.Random(new System.Random(seed));
        AssertSound(inner, inner);
        AssertSound(inner, new Shuffled<SharedVariables.State, (int, int)>(inner, inner, inner, seed));
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 2)]
    public void Sleep_sets_alone_store_every_state_of_counters_reached_by_paths_of_different_lengths(int processes, int limit)
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            var system = new ShuffledCounters(processes, limit, seed, jumps: true);
            int[] last = Enumerable.Repeat(limit, processes).ToArray();
            foreach (SearchOrder order in new[] { SearchOrder.BreadthFirst, SearchOrder.DepthFirst })
            {
                ExplorationStats full = Checks.Run(system, system, Checks.For(order) with { StopAtFirstViolation = false }).Stats;
                CheckResult<int[], int> sleep = Checks.Run(system, system, Checks.For(order) with { StopAtFirstViolation = false, SleepSets = true }, null, default, system.Not(last));
                Assert.Equal(system.ReachableStates, full.StatesStored);
                Assert.Equal(system.ReachableStates, sleep.Stats.StatesStored);
                Assert.True(sleep.Stats.Transitions < full.Transitions, $"{system} {order}: {sleep.Stats.Transitions} vs {full.Transitions}");

                // The state reached last is still found, and its counterexample replays.
                Violated<int[], int> violated = Checks.AssertViolated(sleep);
                Assert.Equal(last, TraceReplay.FinalState(system, violated.Trace));
            }
        }
    }

    [Fact]
    public void Revisits_that_shrink_a_stored_sleep_set_expand_the_state_again()
    {
        // Jumps reach states by paths of different lengths: breadth-first search meets expanded states again with
        // smaller sleep sets and must expand them again (and depth-first search meets finished states).
        var system = new ShuffledCounters(3, 3, seed: 1, jumps: true);
        foreach (SearchOrder order in new[] { SearchOrder.BreadthFirst, SearchOrder.DepthFirst })
        {
            ExplorationStats sound = Checks.Run(system, system, Checks.For(order) with { SleepSets = true }).Stats;
            ExplorationStats naive = Checks.Run(system, system, Checks.For(order) with { SleepSets = true, SleepSetRevisits = false }).Stats;
            Assert.True(sound.SleepSetReexpansions > 0, order.ToString());
            Assert.Equal(0, naive.SleepSetReexpansions);
            Assert.True(sound.Transitions > naive.Transitions, order.ToString());
        }
    }

    [Fact]
    public void Threads_on_private_variables_take_fewer_transitions_and_keep_every_state()
    {
        // Three threads writing only their own variable twice: 27 states, 54 transitions unreduced; sleep sets alone
        // keep the 27 states and take each state's steps only in one order of every commuting pair.
        var ops = Enumerable.Range(0, 3)
            .Select(t => new[] { new SharedVariables.Op(SharedVariables.Kind.Write, t, 0, 1, 0), new SharedVariables.Op(SharedVariables.Kind.Write, t, 0, 2, 0) })
            .ToList();
        var system = new SharedVariables(ops, bad: 7);
        ExplorationStats full = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs)).Stats;
        ExplorationStats sleep = Checks.AssertVerified(Checks.Run(system, system, Checks.Bfs with { SleepSets = true })).Stats;
        Assert.Equal(27, full.StatesStored);
        Assert.Equal(54, full.Transitions);
        Assert.Equal(27, sleep.StatesStored);
        Assert.Equal(26, sleep.Transitions);
        Assert.Equal("on", sleep.SleepSets);
        Assert.Equal(28, sleep.SleepSetPrunedSteps);
    }

    [Fact]
    public void More_processes_than_a_mask_holds_turn_sleep_sets_off_and_say_so()
    {
        var system = new ShuffledCounters(64, 1, seed: 1);
        ExplorationStats stats = Checks.Run(system, system, Checks.Bfs with { SleepSets = true, MaxStates = 100 }).Stats;
        Assert.Equal("off: 64 processes, more than the 63 a sleep-set mask holds", stats.SleepSets);
        Assert.Equal(0, stats.SleepSetPrunedSteps);
    }

    [Fact]
    public void Two_workers_turn_sleep_sets_off_and_say_so()
    {
        var system = new ShuffledCounters(3, 2, seed: 1);
        ExplorationStats one = Checks.Run(system, system, Checks.Bfs).Stats;
        ExplorationStats two = Checks.Run(system, system, Checks.Bfs with { SleepSets = true, Workers = 2 }).Stats;
        Assert.Equal("off: not implemented in the two-worker search", two.SleepSets);
        Assert.Equal(one.Transitions, two.Transitions);
    }

    [Fact]
    public void Sleep_sets_not_asked_for_leave_no_note()
    {
        var system = new ShuffledCounters(3, 2, seed: 1);
        Assert.Null(Checks.Run(system, system, Checks.Bfs).Stats.SleepSets);
    }

    private static void AssertSound<TSystem>(SharedVariables inner, TSystem system)
        where TSystem : ITransitionSystem<SharedVariables.State, (int, int)>, IStateEncoder<SharedVariables.State>
    {
        foreach (SearchOrder order in new[] { SearchOrder.BreadthFirst, SearchOrder.DepthFirst })
        {
            CheckerOptions options = Checks.For(order) with { StopAtFirstViolation = false };
            var fullTerminals = new RecordingObserver<SharedVariables.State, (int, int)>(buildTraces: false);
            CheckResult<SharedVariables.State, (int, int)> full = Checks.Run(system, system, options, fullTerminals, default, inner.NotBad);
            ExplorationStats por = Checks.Run(system, system, options with { PartialOrderReduction = true }, null, default, inner.NotBad).Stats;
            foreach (bool withPor in new[] { false, true })
            {
                var terminals = new RecordingObserver<SharedVariables.State, (int, int)>();
                CheckResult<SharedVariables.State, (int, int)> sleep = Checks.Run(
                    system, system, options with { PartialOrderReduction = withPor, SleepSets = true }, terminals, default, inner.NotBad);
                string mode = $"{inner} {order} por={withPor}";
                Assert.Equal("on", sleep.Stats.SleepSets);
                Assert.True(full.GetType() == sleep.GetType(), mode);
                Assert.Equal(
                    fullTerminals.Terminals.Select(s => s.State.ToString()).Distinct().Order(StringComparer.Ordinal),
                    terminals.Terminals.Select(s => s.State.ToString()).Distinct().Order(StringComparer.Ordinal));
                if (withPor)
                {
                    Assert.True(sleep.Stats.StatesStored <= por.StatesStored, mode);
                }
                else
                {
                    Assert.Equal(full.Stats.StatesStored, sleep.Stats.StatesStored);
                }

                if (sleep is Violated<SharedVariables.State, (int, int)> violated)
                {
                    Assert.NotNull(inner.NotBad.Check(TraceReplay.FinalState(system, violated.Trace)));
                }

                foreach ((SharedVariables.State state, Trace<SharedVariables.State, (int, int)>? trace) in terminals.Terminals.Take(3))
                {
                    Assert.Equal(state.ToString(), TraceReplay.FinalState(system, trace!).ToString());
                }
            }
        }
    }
}
