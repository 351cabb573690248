using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.State;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Reference.Tests;

/// <summary>
/// Sleep sets on the product model (<see cref="CheckerOptions.SleepSets"/> on top of footprint-based partial-order
/// reduction): for every shipped spec, under the real kernel and every mutant, the exhaustive breadth-first search
/// with POR and sleep sets reports the unreduced verdict, violated properties, expectation failures and joint
/// outcomes, stores no more states than POR alone, and every counterexample and outcome witness replays.
/// </summary>
public sealed class ProductSleepSetTests
{
    public static TheoryData<string, KernelMutant> SpecsAndMutants() => ProductReductionTests.SpecsAndMutants();

    [Theory]
    [MemberData(nameof(SpecsAndMutants))]
    public void Sleep_sets_report_what_the_unreduced_check_reports(string file, KernelMutant mutant)
    {
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, file));
        VerificationResult full = Verifier.Check(spec, Settings(mutant, por: false, sleep: false));
        VerificationResult por = Verifier.Check(spec, Settings(mutant, por: true, sleep: false));
        VerificationResult sleep = Verifier.Check(spec, Settings(mutant, por: true, sleep: true));

        Assert.True(full.Exhaustive && sleep.Exhaustive);
        Assert.Equal("on", sleep.Stats.SleepSets);
        Assert.Equal(full.Verdict, sleep.Verdict);
        Assert.Equal(full.ViolatedProperties, sleep.ViolatedProperties);
        Assert.Equal(full.ExpectationFailures, sleep.ExpectationFailures);
        Assert.Equal(ProductRuns.JointOutcomes(full), ProductRuns.JointOutcomes(sleep));
        Assert.True(sleep.Stats.StatesStored <= por.Stats.StatesStored);
        Assert.True(sleep.Stats.TerminalStates <= full.Stats.TerminalStates);

        ProductRuns.AssertTracesReplay(sleep);
    }

    [Fact]
    public void Sleep_sets_keep_the_outcomes_of_two_seed_races_with_fewer_transitions()
    {
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, "specs/scale/two-seed-races.yaml"));
        VerificationResult full = Verifier.Check(spec, Settings(KernelMutant.None, por: false, sleep: false));
        VerificationResult por = Verifier.Check(spec, Settings(KernelMutant.None, por: true, sleep: false));
        VerificationResult sleep = Verifier.Check(spec, Settings(KernelMutant.None, por: true, sleep: true));
        Assert.Equal(full.Verdict, sleep.Verdict);
        Assert.Equal(ProductRuns.JointOutcomes(full), ProductRuns.JointOutcomes(sleep));
        Assert.True(sleep.Stats.Transitions < por.Stats.Transitions, $"{sleep.Stats.Transitions} vs {por.Stats.Transitions}");
    }

    private static CheckSettings Settings(KernelMutant mutant, bool por, bool sleep) => new()
    {
        Mutant = mutant,
        Options = new CheckerOptions { StopAtFirstViolation = false, PartialOrderReduction = por, SleepSets = sleep },
    };
}
