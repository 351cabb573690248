using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Smt.Bmc;
using NatVerify.Specs;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Smt.Tests;

/// <summary>Runs both engines on one spec at one bound and compares what they found.</summary>
internal static class Agreement
{
    public sealed record Result(IReadOnlyList<string> Differences, BmcReport Bmc, VerificationResult Explicit);

    public static Result Compare(ScenarioSpec spec, KernelMutant mutant, int bound)
    {
        var bmc = BoundedModelChecker.Run(spec, SymbolicSpec.None, new BmcSettings { Bound = bound, Mutant = mutant });
        var options = new CheckerOptions { StopAtFirstViolation = false, MaxDepth = bound };
        var explicitResult = Verifier.Check(spec, new CheckSettings { Mutant = mutant, Options = options });
        var differences = new List<string>();

        // The explicit engine checks every property in every state, so one run gives every violated property.
        var bmcViolated = bmc.Properties.Where(p => p.Outcome is SmtSat).Select(p => p.Property).Order(StringComparer.Ordinal).ToList();
        var explicitViolated = explicitResult.ViolatedProperties.Order(StringComparer.Ordinal).ToList();
        if (!bmcViolated.SequenceEqual(explicitViolated))
        {
            differences.Add($"violated properties: BMC [{string.Join(", ", bmcViolated)}], explicit [{string.Join(", ", explicitViolated)}]");
        }

        if (bmc.Properties.Any(p => p.Outcome is SmtUnknown) || bmc.OutcomeEnumerationEnd is not SmtUnsat)
        {
            differences.Add("a BMC query ended unknown or the outcome enumeration did not finish");
        }

        var bmcJoint = bmc.JointOutcomes.Select(j => string.Join(" | ", j.Outcomes)).Order().ToList();
        var explicitJoint = explicitResult.Outcomes.Joint.Select(j => string.Join(" | ", j.Outcomes)).Order().ToList();
        if (!bmcJoint.SequenceEqual(explicitJoint))
        {
            differences.Add($"joint outcomes: BMC [{string.Join("; ", bmcJoint)}], explicit [{string.Join("; ", explicitJoint)}]");
        }

        foreach (var failed in bmc.FailedReplays)
        {
            differences.Add($"witness not reproduced: {failed.Detail}");
        }

        return new Result(differences, bmc, explicitResult);
    }
}
