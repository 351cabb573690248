using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Reference.Tests;

/// <summary>
/// Partial-order and symmetry reduction are sound on the reference model: over all 60 Table-A variants and their
/// mutants (confirm without clash check), the reduced searches (POR, symmetry, both) reach the same verdict as the
/// unreduced one, store no more states, reach the same terminal states (POR: exactly; symmetry: the same orbits),
/// and every counterexample replays step by step to a violating state. Large variants carry the Long trait.
/// </summary>
public sealed class ReductionTests
{
    public static TheoryData<string> Small => SpinFacts.Small();

    public static TheoryData<string> Large => SpinFacts.Large();

    public static TheoryData<string> SmallNd => SpinFacts.SmallNondeterministic();

    public static TheoryData<string> LargeNd => SpinFacts.LargeNondeterministic();

    [Theory]
    [MemberData(nameof(Small))]
    public void Reduced_searches_agree_with_the_unreduced_one(string model)
    {
        AssertSound(RefVariant.Parse(model));
        AssertSound(RefVariant.Parse(model + "_mut"));
    }

    [Theory]
    [MemberData(nameof(Large))]
    [Trait("Category", "Long")]
    public void Reduced_searches_agree_with_the_unreduced_one_on_the_large_variants(string model)
    {
        AssertSound(RefVariant.Parse(model));
        AssertSound(RefVariant.Parse(model + "_mut"));
    }

    [Theory]
    [MemberData(nameof(SmallNd))]
    public void Reduction_stores_fewer_states_than_spin_por_on_nondeterministic_variants(string model) => AssertBelowSpinPor(model);

    [Theory]
    [MemberData(nameof(LargeNd))]
    [Trait("Category", "Long")]
    public void Reduction_stores_fewer_states_than_spin_por_on_the_large_nondeterministic_variants(string model) => AssertBelowSpinPor(model);

    [Theory]
    [InlineData("N2_K4_det_mut", 6)]
    [InlineData("N4_K8_det_mut", 6)]
    [InlineData("N6_K16_nd_mut", 6)]
    [InlineData("N6_K16_nd_inj_mut", 4)]
    public void Unreduced_bfs_finds_the_mutant_counterexample_as_short_as_spin_bfs(string model, int spinModelSteps)
    {
        // SPIN -DBFS -DNOREDUCE trails (RESULTS.md section 4): 6 model steps, or 4 with the injector.
        var variant = RefVariant.Parse(model);
        Violated<ulong, RefStep> violated = Assert.IsType<Violated<ulong, RefStep>>(RefRun.Check(variant, stopAtFirstViolation: true).Result);
        Assert.Equal(spinModelSteps, violated.Trace.Length);
        AssertReplaysToViolation(variant, violated.Trace);
    }

    [Fact]
    public void The_seed_mutant_counterexample_is_the_documented_interleaving()
    {
        // RESULTS.md: C0 ct_in, C0 nat keeps A:1, C0 confirm, T0 ct_in, T0 nat (A:1, unchecked), T0 confirm.
        var variant = RefVariant.Parse("N2_K4_det_mut");
        Violated<ulong, RefStep> violated = Assert.IsType<Violated<ulong, RefStep>>(RefRun.Check(variant, stopAtFirstViolation: true).Result);
        Assert.Equal(
            ["T0 ct_in", "T0 nat -> A:1", "C0 ct_in", "C0 nat -> A:1", "T0 confirm", "C0 confirm"],
            violated.Trace.Steps.Select(s => s.Action.ToString()));
    }

    [Theory]
    [InlineData("N5_K8_nd")]
    [InlineData("N6_K8_nd_inj")]
    public void Two_workers_agree_with_one_under_reduction(string model)
    {
        var variant = RefVariant.Parse(model);
        (CheckResult<ulong, RefStep> one, RefRun.TerminalCollector t1) = RefRun.Check(variant, partialOrder: true, symmetry: true);
        (CheckResult<ulong, RefStep> two, RefRun.TerminalCollector t2) = RefRun.Check(variant, partialOrder: true, symmetry: true, workers: 2);
        Assert.Equal(one.Stats.StatesStored, two.Stats.StatesStored);
        Assert.Equal(one.Stats.Transitions, two.Stats.Transitions);
        Assert.Equal(one.Stats.ReducedExpansions, two.Stats.ReducedExpansions);
        Assert.Equal(t1.States, t2.States);
    }

    private static void AssertBelowSpinPor(string model)
    {
        SpinRow row = SpinFacts.Row(model);
        ExplorationStats stats = RefRun.Check(row.Variant, partialOrder: true, symmetry: true).Result.Stats;
        Assert.True(stats.StatesStored < row.PorStates, $"{model}: {stats.StatesStored} states with POR + symmetry, SPIN POR {row.PorStates}");
    }

    private static void AssertSound(RefVariant variant)
    {
        var model = new RefModel(variant);
        var symmetry = new RefSymmetry(model);
        (CheckResult<ulong, RefStep> full, RefRun.TerminalCollector fullTerminals) = RefRun.Check(variant);
        var fullOrbits = fullTerminals.States.Select(symmetry.EncodeCompact).ToHashSet();

        foreach ((bool por, bool sym) in new[] { (true, false), (false, true), (true, true) })
        {
            (CheckResult<ulong, RefStep> reduced, RefRun.TerminalCollector terminals) = RefRun.Check(variant, por, sym);
            string mode = $"{variant.Name} por={por} sym={sym}";
            Assert.True(reduced.GetType() == full.GetType(), $"{mode}: {reduced.GetType().Name} but unreduced {full.GetType().Name}");
            Assert.True(reduced.Stats.StatesStored <= full.Stats.StatesStored, mode);
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
                AssertReplaysToViolation(variant, violated.Trace);
            }

            // A terminal state's trace (the last one reached) replays too.
            Trace<ulong, RefStep> trace = terminals.Traces[^1]();
            Assert.Equal(terminals.States[^1], RefRun.Replay(new RefModel(variant), trace));
        }

        Assert.Equal(variant.Mutant, full is Violated<ulong, RefStep>);
    }

    private static void AssertReplaysToViolation(RefVariant variant, Trace<ulong, RefStep> trace)
    {
        var model = new RefModel(variant);
        Assert.NotNull(model.TupleUniqueness.Check(RefRun.Replay(model, trace)));
    }
}
