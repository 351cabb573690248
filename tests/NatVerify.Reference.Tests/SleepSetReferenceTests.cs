using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Reference.Tests;

/// <summary>
/// Sleep sets on the reference model (its independence is <see cref="IIndependence{TState, TAction}"/>): over the
/// small Table-A variants and their mutants, breadth- and depth-first, sleep sets added to partial-order reduction
/// (and to POR with symmetry) give the unreduced verdict, the same terminal states (orbits with symmetry), no more
/// states than POR alone, and counterexamples that replay to a violation; large variants carry the Long trait.
/// </summary>
public sealed class SleepSetReferenceTests
{
    public static TheoryData<string> Small => SpinFacts.Small();

    public static TheoryData<string> Large => SpinFacts.Large();

    [Theory]
    [MemberData(nameof(Small))]
    public void Sleep_sets_keep_verdicts_and_terminal_states(string model)
    {
        AssertSound(RefVariant.Parse(model));
        AssertSound(RefVariant.Parse(model + "_mut"));
    }

    [Theory]
    [MemberData(nameof(Large))]
    [Trait("Category", "Long")]
    public void Sleep_sets_keep_verdicts_and_terminal_states_on_the_large_variants(string model)
    {
        AssertSound(RefVariant.Parse(model));
        AssertSound(RefVariant.Parse(model + "_mut"));
    }

    [Fact]
    public void Sleep_sets_take_fewer_transitions_than_partial_order_reduction_alone()
    {
        var variant = RefVariant.Parse("N4_K8_nd");
        ExplorationStats por = RefRun.Check(variant, partialOrder: true).Result.Stats;
        ExplorationStats sleep = RefRun.Check(variant, partialOrder: true, sleepSets: true).Result.Stats;
        Assert.Equal("on", sleep.SleepSets);
        Assert.True(sleep.SleepSetPrunedSteps > 0);
        Assert.True(sleep.Transitions < por.Transitions, $"{sleep.Transitions} transitions with sleep sets, {por.Transitions} without");
        Assert.True(sleep.StatesStored <= por.StatesStored);
    }

    [Fact]
    public void Two_workers_run_without_sleep_sets_and_say_so()
    {
        var variant = RefVariant.Parse("N3_K4_nd");
        ExplorationStats one = RefRun.Check(variant, partialOrder: true).Result.Stats;
        ExplorationStats two = RefRun.Check(variant, partialOrder: true, workers: 2, sleepSets: true).Result.Stats;
        Assert.StartsWith("off:", two.SleepSets);
        Assert.Equal(one.StatesStored, two.StatesStored);
        Assert.Equal(one.Transitions, two.Transitions);
    }

    private static void AssertSound(RefVariant variant)
    {
        var model = new RefModel(variant);
        var symmetry = new RefSymmetry(model);
        (CheckResult<ulong, RefStep> full, RefRun.TerminalCollector fullTerminals) = RefRun.Check(variant);
        var fullOrbits = fullTerminals.States.Select(symmetry.EncodeCompact).ToHashSet();
        foreach (SearchOrder order in new[] { SearchOrder.BreadthFirst, SearchOrder.DepthFirst })
        {
            foreach (bool sym in new[] { false, true })
            {
                (CheckResult<ulong, RefStep> por, _) = RefRun.Check(variant, partialOrder: true, symmetry: sym, order: order);
                (CheckResult<ulong, RefStep> reduced, RefRun.TerminalCollector terminals) =
                    RefRun.Check(variant, partialOrder: true, symmetry: sym, order: order, sleepSets: true);
                string mode = $"{variant.Name} {order} sym={sym}";
                Assert.True(reduced.GetType() == full.GetType(), $"{mode}: {reduced.GetType().Name} but unreduced {full.GetType().Name}");
                Assert.True(reduced.Stats.StatesStored <= por.Stats.StatesStored, mode);
                if (sym)
                {
                    Assert.True(fullOrbits.SetEquals(terminals.States.Select(symmetry.EncodeCompact)), $"{mode}: terminal orbits differ");
                }
                else
                {
                    Assert.True(fullTerminals.States.ToHashSet().SetEquals(terminals.States), $"{mode}: terminal states differ");
                }

                if (reduced is Violated<ulong, RefStep> violated)
                {
                    Assert.NotNull(model.TupleUniqueness.Check(RefRun.Replay(model, violated.Trace)));
                }

                Trace<ulong, RefStep> trace = terminals.Traces[^1]();
                Assert.Equal(terminals.States[^1], RefRun.Replay(model, trace));
            }
        }
    }
}
