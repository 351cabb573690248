using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Reference.Tests;

/// <summary>
/// Symmetry reduction on the product model (<see cref="CheckSettings.Symmetry"/>, alone and with partial-order reduction)
/// changes nothing a user sees: for every shipped spec, the exhaustive BFS gives the same verdict, violated properties,
/// expectation failures and set of joint outcomes as the unreduced search, stores no more states, and every witness
/// (including those of outcomes added by renaming actors) and counterexample replays through the unreduced transition
/// relation to a state with the reported outcomes. On the scale scenario of one socket sending four first packets, the
/// reduced searches keep the 104 joint outcomes with at least 10x fewer states.
/// </summary>
public sealed class ProductSymmetryTests
{
    public static TheoryData<string, string> SpecsAndReductions()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in ShippedSpecs.Files())
        {
            data.Add(ShippedSpecs.Relative(file), "sym");
            data.Add(ShippedSpecs.Relative(file), "por+sym");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SpecsAndReductions))]
    public void Symmetry_reduced_check_reports_what_the_unreduced_check_reports(string file, string reduce)
    {
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, file));
        VerificationResult full = Verifier.Check(spec, Settings("none"));
        VerificationResult reduced = Verifier.Check(spec, Settings(reduce));
        AssertSameReport(full, reduced);
    }

    [Theory]
    [MemberData(nameof(SpecsAndReductions))]
    public void Two_workers_report_what_one_worker_reports_with_symmetry(string file, string reduce)
    {
        // Which member of an orbit is stored first must not depend on the threads: the parallel search stores in the
        // single-threaded order, so counts, outcomes and traces are the same.
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, file));
        VerificationResult one = Verifier.Check(spec, Settings(reduce));
        VerificationResult two = Verifier.Check(spec, Settings(reduce) with { Options = Settings(reduce).Options with { Workers = 2 } });
        Assert.Equal(one.Verdict, two.Verdict);
        Assert.Equal(one.ViolatedProperties, two.ViolatedProperties);
        Assert.Equal(one.Stats.StatesStored, two.Stats.StatesStored);
        Assert.Equal(one.Stats.Transitions, two.Stats.Transitions);
        Assert.Equal(
            one.Outcomes.Joint.Select(j => $"{string.Join("|", j.Outcomes)} x{j.TerminalStates}"),
            two.Outcomes.Joint.Select(j => $"{string.Join("|", j.Outcomes)} x{j.TerminalStates}"));
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Symmetry_keeps_the_outcomes_of_one_socket_sending_four_packets_with_over_ten_times_fewer_states()
    {
        // specs/scale/dns-one-socket-4.yaml: four identical first packets of one UDP socket (417,673 unreduced states).
        // Partial-order reduction alone barely helps here (the packets read and write the same nodes); the four packets
        // are interchangeable, so symmetry stores about one state in 4! = 24.
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, "specs/scale/dns-one-socket-4.yaml"));
        VerificationResult full = Verifier.Check(spec, Settings("none"));
        foreach (string reduce in new[] { "sym", "por+sym" })
        {
            VerificationResult reduced = Verifier.Check(spec, Settings(reduce));
            AssertSameReport(full, reduced);
            Assert.Equal(104, reduced.Outcomes.Joint.Count);
            Assert.True(reduced.Stats.StatesStored * 10 <= full.Stats.StatesStored, $"{reduce}: {reduced.Stats.StatesStored} vs {full.Stats.StatesStored}");
        }
    }

    private static void AssertSameReport(VerificationResult full, VerificationResult reduced)
    {
        Assert.True(full.Exhaustive);
        Assert.True(reduced.Exhaustive);
        Assert.Equal(full.Verdict, reduced.Verdict);
        Assert.Equal(full.ViolatedProperties, reduced.ViolatedProperties);
        Assert.Equal(full.ExpectationFailures, reduced.ExpectationFailures);
        Assert.True(reduced.Stats.StatesStored <= full.Stats.StatesStored);
        Assert.Equal(ProductRuns.JointOutcomes(full), ProductRuns.JointOutcomes(reduced));

        ProductRuns.AssertTracesReplay(reduced);
    }

    private static CheckSettings Settings(string reduce) => new()
    {
        Symmetry = reduce.Contains("sym", StringComparison.Ordinal),
        Options = new CheckerOptions { StopAtFirstViolation = false, PartialOrderReduction = reduce.Contains("por", StringComparison.Ordinal) },
    };
}
