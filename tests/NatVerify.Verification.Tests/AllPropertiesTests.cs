using NatVerify.Model;
using NatVerify.Model.Properties;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// A check reports every property some reachable state violates, not only the first one found, each with its own
/// shortest counterexample (exhaustive breadth-first search of the seed race, no bound).
/// </summary>
public class AllPropertiesTests
{
    [Fact]
    public void Mutant_breaking_two_properties_reports_both_with_their_own_shortest_traces()
    {
        // Without the confirm-time clash check both the uniqueness and reply routing fail; before the engine kept
        // checking after the first violation only linked-tuple-uniqueness was reported.
        var spec = Corpus.Load("specs/seed/race-unconstrained.yaml");
        var result = Verifier.Check(spec, new CheckSettings { Mutant = KernelMutant.NoConfirmClashCheck });
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Contains("linked-tuple-uniqueness", result.ViolatedProperties);
        Assert.Contains("reply-routing", result.ViolatedProperties);
        Assert.Equal(result.ViolatedProperties, result.Violations.Select(v => v.Invariant.Id).Order(StringComparer.Ordinal));

        var catalog = new PropertyCatalog(result.Semantics);
        foreach (var violation in result.Violations)
        {
            Assert.NotNull(catalog.Check(violation.Invariant.Id, violation.Trace.Final));
            var alone = Verifier.Check(spec, new CheckSettings { Mutant = KernelMutant.NoConfirmClashCheck, Properties = [violation.Invariant.Id] });
            Assert.Equal(alone.Violation!.Trace.Length, violation.Trace.Length);
        }
    }
}
