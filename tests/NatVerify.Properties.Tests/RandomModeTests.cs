using FsCheck;
using FsCheck.Fluent;
using NatVerify.Checker;
using NatVerify.Checker.Random;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Testing;
using NatVerify.Testing.Toys;

namespace NatVerify.Properties.Tests;

/// <summary>
/// The engine: breadth-first search and partial-order reduction on random toy systems, and the random exploration
/// mode (random walks and PCT, seeded, with shrinking to replayable schedules).
/// </summary>
public class RandomModeTests
{
    [Fact]
    public void Breadth_first_search_finds_a_shortest_counterexample_in_random_graphs()
    {
        var property = PropertyAssert.Property("bfs-shortest", ToyGraph.Arbitrary, g =>
        {
            var result = new ModelChecker<int, int>(g, g, [g.NotBad], new CheckerOptions()).Run();
            var distance = g.DistanceToBad();
            return (result, distance) switch
            {
                (Violated<int, int> v, { } d) when v.Trace.Length == d && v.Trace.Final == g.Bad => null,
                (Verified<int, int>, null) => null,
                _ => $"BFS said {result.GetType().Name} (trace {(result as Violated<int, int>)?.Trace.Length}), the shortest path has {distance?.ToString() ?? "no"} steps",
            };
        });
        PropertyAssert.Holds(property, 400, TestSeed.For("bfs"));
    }

    [Fact]
    public void Partial_order_reduction_never_changes_a_verdict_or_the_terminal_states()
    {
        var property = PropertyAssert.Property("por-verdict", SharedWrites.Arbitrary, s =>
        {
            var full = Explore(s, reduce: false);
            var reduced = Explore(s, reduce: true);
            if (full.Verdict != reduced.Verdict)
            {
                return $"verdict {full.Verdict} without reduction, {reduced.Verdict} with it";
            }

            return full.Terminals.SetEquals(reduced.Terminals) ? null : "the terminal states differ with reduction";
        });
        PropertyAssert.Holds(property, 300, TestSeed.For("por"));
    }

    [Fact]
    public void Random_mode_reports_only_real_violations_and_its_shrunk_schedule_replays_to_one()
    {
        var property = PropertyAssert.Property("random-sound", ToyGraph.Arbitrary, g =>
        {
            var options = new RandomOptions { Seed = TestSeed.For("walk"), MaxSchedules = 100, MaxSteps = 30 };
            var result = new RandomExplorer<int, int>(g, [g.NotBad], options).Run();
            var distance = g.DistanceToBad();
            if (result.Violation is not { } v)
            {
                return null;
            }

            if (distance is not { } d)
            {
                return "random mode reported a violation of an unreachable bad node";
            }

            var replay = ScheduleReplayer.Replay(g, v.Shrunk, [g.NotBad], 30);
            if (!replay.Violated || replay.Trace.Final != g.Bad || !replay.Trace.Steps.SequenceEqual(v.Trace.Steps))
            {
                return $"the shrunk schedule [{v.Shrunk}] does not replay to the reported violation";
            }

            var original = ScheduleReplayer.Replay(g, v.Original, [g.NotBad], 30);
            return v.Trace.Length < d || v.Trace.Length > original.Trace.Length
                ? $"shrunk trace has {v.Trace.Length} steps; shortest {d}, original {original.Trace.Length}"
                : null;
        });
        PropertyAssert.Holds(property, 300, TestSeed.For("random-sound"));
    }

    [Fact]
    public void A_random_run_is_determined_by_its_seed()
    {
        var system = new Threads(3, 3);
        var options = new RandomOptions { Seed = TestSeed.Value, MaxSchedules = 300, Strategy = RandomStrategy.Pct, PctDepth = 2 };
        var a = new RandomExplorer<int[], int>(system, [system.NoOrderingBug], options, t => t).Run();
        var b = new RandomExplorer<int[], int>(system, [system.NoOrderingBug], options, t => t).Run();
        Assert.Equal(a.Stats.Schedules, b.Stats.Schedules);
        Assert.Equal(a.Stats.Steps, b.Stats.Steps);
        Assert.Equal(a.Violation?.Original, b.Violation?.Original);
        Assert.Equal(a.Violation?.Shrunk, b.Violation?.Shrunk);
    }

    [Theory]
    [InlineData(RandomStrategy.Pct)]
    [InlineData(RandomStrategy.RandomWalk)]
    public void Random_mode_finds_a_depth_two_ordering_bug_and_shrinks_it_to_its_core(RandomStrategy strategy)
    {
        // Thread 0 must be preempted right after its first step, then thread 1 must run to its end: 1 + 3 steps.
        var system = new Threads(3, 3);
        var options = new RandomOptions { Seed = TestSeed.For("threads"), MaxSchedules = 2000, Strategy = strategy, PctDepth = 2 };
        var result = new RandomExplorer<int[], int>(system, [system.NoOrderingBug], options, t => t).Run();
        var v = Assert.IsType<RandomViolation<int[], int>>(result.Violation);
        Assert.Equal(4, v.Trace.Length);
        var replay = ScheduleReplayer.Replay(system, v.Shrunk, [system.NoOrderingBug], 100);
        Assert.True(replay.Violated, $"[{v.Shrunk}] (seed {options.Seed}) does not replay to the violation");
        Assert.True(result.Stats.SchedulesPerSecond > 0);
    }

    [Fact]
    public void Pct_without_a_thread_mapping_is_refused()
    {
        var system = new Threads(2, 2);
        Assert.Throws<ArgumentException>(() =>
            new RandomExplorer<int[], int>(system, [system.NoOrderingBug], new RandomOptions { Strategy = RandomStrategy.Pct }));
        Assert.Throws<ArgumentException>(() =>
            new RandomExplorer<int[], int>(system, [system.NoOrderingBug], new RandomOptions { MaxSchedules = null }));
    }

    [Fact]
    public void Choice_schedules_print_and_parse_back()
    {
        var schedules = Arb.From(
            from initial in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 5)))
            from choices in Gen.ListOf(Gen.Choose(0, 200))
            select new ChoiceSchedule(initial, [.. choices]));
        var property = PropertyAssert.Property("schedule-text", schedules, s =>
            ChoiceSchedule.TryParse(s.ToString(), out var back, out var error) && back.Equals(s) ? null : $"'{s}' read back as '{back}' ({error})");
        PropertyAssert.Holds(property, 300, TestSeed.For("schedule-text"));
        Assert.False(ChoiceSchedule.TryParse("0,x,1", out _, out var message));
        Assert.Contains("position 2", message);
        Assert.False(ChoiceSchedule.TryParse("0,-1", out _, out _));
    }

    [Theory]
    [InlineData(RandomStrategy.RandomWalk)]
    [InlineData(RandomStrategy.Pct)]
    public void Random_mode_on_the_seed_race_finds_the_probe_mutant_and_its_schedule_replays(RandomStrategy strategy)
    {
        var spec = SeedSpecs.Load("race-unconstrained");
        var options = new RandomOptions { Seed = TestSeed.For("race" + strategy), MaxSchedules = 2000, Strategy = strategy };
        var (_, result) = SpecExploration.Explore(spec, spec.Profile, KernelMutant.ProbeSeesUnconfirmed, PropertyIds.All, options);
        var v = Assert.IsType<RandomViolation<Model.State.NatState, Model.Steps.NatStep>>(result.Violation);
        Assert.Equal(PropertyIds.NullBindingIdentityWhenFree, v.Invariant.Id);
        var (_, replay) = SpecExploration.Replay(spec, spec.Profile, KernelMutant.ProbeSeesUnconfirmed, PropertyIds.All, v.Shrunk);
        Assert.True(replay.Violated, $"schedule [{v.Shrunk}] (seed {options.Seed}) does not replay");
        Assert.Equal(v.Trace.Length, replay.Trace.Length);
    }

    [Fact]
    public void Random_mode_on_the_seed_race_finds_nothing_on_the_real_kernel()
    {
        var spec = SeedSpecs.Load("race-unconstrained");
        var options = new RandomOptions { Seed = TestSeed.For("race-real"), MaxSchedules = 500, Strategy = RandomStrategy.Pct };
        var (_, result) = SpecExploration.Explore(spec, spec.Profile, KernelMutant.None, PropertyIds.All, options);
        Assert.Null(result.Violation);
        Assert.Equal(500, result.Stats.Schedules);
    }

    private static (string Verdict, HashSet<SharedWrites.State> Terminals) Explore(SharedWrites s, bool reduce)
    {
        var terminals = new TerminalCollector();
        var result = new ModelChecker<SharedWrites.State, int>(
            s, s, [s.NotBad], new CheckerOptions { PartialOrderReduction = reduce, StopAtFirstViolation = false }, terminals).Run();
        return (result.GetType().Name, terminals.States);
    }

    private sealed class TerminalCollector : IExplorationObserver<SharedWrites.State, int>
    {
        public HashSet<SharedWrites.State> States { get; } = [];

        public void OnProgress(ExplorationStats stats)
        {
        }

        public void OnTerminal(SharedWrites.State state, Func<Trace<SharedWrites.State, int>> traceFactory) => States.Add(state);
    }
}
