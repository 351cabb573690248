using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Reference.Tests;

/// <summary>
/// The reference model on our engine explores exactly SPIN's state space: for each of the 60 Table-A variants
/// (N = 2..6, K = 4, 8, 16, det/nd, with/without injector), unreduced BFS stores exactly SPIN's -DNOREDUCE
/// "states, stored", generates exactly its transitions minus the never claim's stutter moves, and reaches the same
/// terminal states by insert_failed count; every path has 3N steps (3N+1 with the injector) and no state violates
/// the invariant. Variants above <see cref="SpinFacts.SmallStates"/> states run only with the Long trait.
/// </summary>
public sealed class EquivalenceTests
{
    public static TheoryData<string> Small => SpinFacts.Small();

    public static TheoryData<string> Large => SpinFacts.Large();

    [Theory]
    [MemberData(nameof(Small))]
    public void Unreduced_search_matches_spin_noreduce_exactly(string model) => AssertMatchesSpin(model);

    [Theory]
    [MemberData(nameof(Large))]
    [Trait("Category", "Long")]
    public void Unreduced_search_matches_spin_noreduce_exactly_on_the_large_variants(string model) => AssertMatchesSpin(model);

    [Fact]
    public void Table_a_holds_all_60_variants()
    {
        Assert.Equal(60, SpinFacts.TableA.Count);
        Assert.Equal(60, SpinFacts.TableA.Select(r => r.Variant.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("N5_K8_nd_inj")]
    [InlineData("N6_K4_det_inj")]
    public void Depth_first_search_stores_the_same_states_and_transitions(string model)
    {
        SpinRow row = SpinFacts.Row(model);
        ExplorationStats stats = Assert.IsType<Verified<ulong, RefStep>>(RefRun.Check(row.Variant, order: SearchOrder.DepthFirst).Result).Stats;
        Assert.Equal(row.NoReduceStates, stats.StatesStored);
        Assert.Equal(row.Edges, stats.Transitions);
        Assert.Equal(row.Terminal, stats.TerminalStates);
    }

    [Theory]
    [InlineData("N6_K8_nd_inj")]
    [InlineData("N6_K4_nd")]
    [InlineData("N4_K16_nd_inj")]
    public void Two_workers_give_identical_statistics_and_terminal_order(string model)
    {
        SpinRow row = SpinFacts.Row(model);
        (CheckResult<ulong, RefStep> one, RefRun.TerminalCollector t1) = RefRun.Check(row.Variant);
        (CheckResult<ulong, RefStep> two, RefRun.TerminalCollector t2) = RefRun.Check(row.Variant, workers: 2);
        Assert.IsType<Verified<ulong, RefStep>>(two);
        Assert.Equal(row.NoReduceStates, two.Stats.StatesStored);
        Assert.Equal(Comparable(one.Stats), Comparable(two.Stats));
        Assert.Equal(t1.States, t2.States);
        Assert.Equal(t1.Traces[^1]().Steps, t2.Traces[^1]().Steps);
    }

    private static void AssertMatchesSpin(string model)
    {
        SpinRow row = SpinFacts.Row(model);
        (CheckResult<ulong, RefStep> result, RefRun.TerminalCollector terminals) = RefRun.Check(row.Variant);
        ExplorationStats stats = Assert.IsType<Verified<ulong, RefStep>>(result).Stats;
        int steps = (3 * row.Variant.N) + (row.Variant.Inject ? 1 : 0);

        Assert.Equal(row.NoReduceStates, stats.StatesStored);
        Assert.Equal(row.Edges, stats.Transitions);
        Assert.Equal(row.Terminal, stats.TerminalStates);
        Assert.Equal(steps, stats.MaxDepthReached);
        Assert.Equal(row.TerminalByInsertFailed.OrderBy(kv => kv.Key), terminals.ByInsertFailed());
        Assert.True(stats.ExactStates);
        Assert.Equal(0.0, stats.CollisionProbability);
        Assert.All(terminals.States, s => Assert.Equal(steps, terminals.Model.Progress(s)));
    }

    private static ExplorationStats Comparable(ExplorationStats stats) =>
        stats with { Elapsed = TimeSpan.Zero, FingerprintSetBytes = 0, Workers = 0, PeakFrontier = 0 };
}
