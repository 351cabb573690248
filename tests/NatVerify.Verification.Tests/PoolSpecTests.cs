using NatVerify.Checker;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The pool examples under specs/scale (left out of the corpus with the other scale specs): each meets its expectations
/// exhaustively, and partial-order reduction, which treats every step as dependent when pools exist, keeps the same
/// joint outcomes.
/// </summary>
public class PoolSpecTests
{
    public static TheoryData<string> PoolSpecs => new() { "specs/scale/snat-pool-64-last-port.yaml", "specs/scale/snat-pool-1024.yaml" };

    [Theory]
    [MemberData(nameof(PoolSpecs))]
    public void Pool_spec_meets_its_expectations_with_and_without_partial_order_reduction(string file)
    {
        var spec = Corpus.Load(file);
        Assert.NotEmpty(spec.Model.Pools);
        var full = Verifier.Check(spec, new CheckSettings());
        Assert.True(full.Exhaustive);
        Assert.Empty(full.ExpectationFailures);

        var por = Verifier.Check(spec, new CheckSettings { Options = new CheckerOptions { StopAtFirstViolation = false, PartialOrderReduction = true } });
        Assert.Equal(full.Verdict, por.Verdict);
        Assert.Equal(
            full.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(),
            por.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order());
    }
}
