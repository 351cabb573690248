using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Reference.Tests;

/// <summary>
/// Run-numbered fingerprints (<see cref="IRunFingerprinter{TState}"/>, <see cref="NatStateEncoder"/>'s per-run slot
/// numbers hashed instead of the canonical bytes) explore exactly what canonical-byte fingerprints explore: for every
/// shipped spec, unreduced and, under a mutant where the ghost quotient is off, with partial-order reduction with and
/// without sleep sets, the single-threaded breadth-first search stores the same states, takes the same transitions,
/// reaches the same depth and terminal states, reduces the same expansions, queues the same peak of states and reports
/// the same verdict, violated properties, expectation failures and joint outcomes, whose traces replay. The modes that
/// fingerprint a view (por with the ghost quotient, sym, por+sym, por+sleep) keep the canonical bytes, and so do two
/// workers and depth-first search (their statistics say so).
/// </summary>
public sealed class ProductRunFingerprintTests
{
    public static TheoryData<string, string, KernelMutant> SpecsAndModes()
    {
        var data = new TheoryData<string, string, KernelMutant>();
        foreach (string file in ShippedSpecs.Files())
        {
            foreach (string mode in new[] { "none", "por", "sym", "por+sym", "por+sleep" })
            {
                data.Add(ShippedSpecs.Relative(file), mode, KernelMutant.None);
            }

            // The ghost quotient is unsound under this mutant, so reduced searches fingerprint the state itself.
            data.Add(ShippedSpecs.Relative(file), "por", KernelMutant.ProbeSeesUnconfirmed);
            data.Add(ShippedSpecs.Relative(file), "por+sleep", KernelMutant.ProbeSeesUnconfirmed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SpecsAndModes))]
    public void Run_numbered_fingerprints_explore_what_canonical_bytes_explore(string file, string mode, KernelMutant mutant)
    {
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, file));
        VerificationResult canonical = Verifier.Check(spec, Settings(mode, runFingerprints: false) with { Mutant = mutant });
        VerificationResult run = Verifier.Check(spec, Settings(mode, runFingerprints: true) with { Mutant = mutant });

        bool view = (mode.Contains("sym", StringComparison.Ordinal) && ActorSymmetry.Of(run.Semantics).Reduces)
            || (mode.StartsWith("por", StringComparison.Ordinal) && run.Semantics.GhostQuotientSound);
        Assert.False(canonical.Stats.RunFingerprints);
        Assert.Equal(!view, run.Stats.RunFingerprints);
        AssertSameExploration(canonical, run);
        ProductRuns.AssertTracesReplay(run);
    }

    [Theory]
    [InlineData("specs/seed/race-unconstrained.yaml", "none")]
    [InlineData("specs/seed/race-unconstrained.yaml", "sym")]
    public void Two_workers_and_depth_first_search_hash_the_canonical_bytes(string file, string mode)
    {
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, file));
        CheckSettings settings = Settings(mode, runFingerprints: true);
        VerificationResult one = Verifier.Check(spec, settings);
        VerificationResult two = Verifier.Check(spec, settings with { Options = settings.Options with { Workers = 2 } });
        VerificationResult dfs = Verifier.Check(spec, settings with { Options = settings.Options with { Order = SearchOrder.DepthFirst } });
        VerificationResult objects = Verifier.Check(spec, settings with { PackedFrontier = false });

        Assert.Equal(mode == "none" || !ActorSymmetry.Of(one.Semantics).Reduces, one.Stats.RunFingerprints);
        Assert.False(two.Stats.RunFingerprints);
        Assert.False(dfs.Stats.RunFingerprints);
        Assert.False(objects.Stats.RunFingerprints);
        AssertSameExploration(two, one);
        Assert.Equal(ProductRuns.JointOutcomes(one), ProductRuns.JointOutcomes(dfs));
    }

    internal static void AssertSameExploration(VerificationResult expected, VerificationResult actual)
    {
        ExplorationStats e = expected.Stats;
        ExplorationStats a = actual.Stats;
        Assert.Equal(
            (e.StatesStored, e.Transitions, e.MaxDepthReached, e.TerminalStates, e.ReducedExpansions, e.PeakFrontier, e.SleepSets, e.SleepSetPrunedSteps, e.SleepSetReexpansions),
            (a.StatesStored, a.Transitions, a.MaxDepthReached, a.TerminalStates, a.ReducedExpansions, a.PeakFrontier, a.SleepSets, a.SleepSetPrunedSteps, a.SleepSetReexpansions));
        Assert.Equal(expected.Verdict, actual.Verdict);
        Assert.Equal(expected.Exhaustive, actual.Exhaustive);
        Assert.Equal(expected.ViolatedProperties, actual.ViolatedProperties);
        Assert.Equal(expected.ExpectationFailures, actual.ExpectationFailures);
        Assert.Equal(ProductRuns.JointOutcomes(expected), ProductRuns.JointOutcomes(actual));
    }

    private static CheckSettings Settings(string mode, bool runFingerprints) => new()
    {
        RunFingerprints = runFingerprints,
        Symmetry = mode.Contains("sym", StringComparison.Ordinal),
        Options = new CheckerOptions
        {
            StopAtFirstViolation = false,
            PartialOrderReduction = mode.StartsWith("por", StringComparison.Ordinal),
            SleepSets = mode.Contains("sleep", StringComparison.Ordinal),
        },
    };
}
