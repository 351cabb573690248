using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Specs;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// Compares BMC results with the spec's <c>expect:</c> block, as <c>Expectations.Evaluate</c> does for the explicit
/// engine. Exact outcome sets are only compared when the bound reaches the full depth, the enumeration finished
/// and no field is symbolic (a symbolic field ranges over values the expectations were not written for: then each
/// expected pattern must merely be reachable for some value).
/// </summary>
internal static class BmcExpectations
{
    public static (IReadOnlyList<string> Failures, IReadOnlyList<string> Notes) Evaluate(BmcReport r, bool outcomesRun)
    {
        var failures = new List<string>();
        var notes = new List<string>();
        var expect = r.Spec.Expect;
        var violated = r.Properties.Where(p => p.Outcome is SmtSat).Select(p => p.Property).ToList();
        if (r.Mutant != KernelMutant.None)
        {
            if (expect.Mutants.TryGetValue(r.Mutant.CliName(), out var property))
            {
                var result = r.Properties.FirstOrDefault(p => p.Property == property);
                if (result is null)
                {
                    notes.Add($"mutant {r.Mutant.CliName()} should violate {property}, which was not checked");
                }
                else if (result.Outcome is SmtUnsat && r.Complete)
                {
                    failures.Add($"mutant {r.Mutant.CliName()} should violate {property}, but it holds in every run");
                }
                else if (result.Outcome is not SmtSat)
                {
                    notes.Add($"mutant {r.Mutant.CliName()} should violate {property}; not found within {r.Bound} steps");
                }
            }

            return (failures, notes);
        }

        if (expect.Verdict == ExpectedVerdict.Violated && violated.Count == 0 && r.Complete && r.Properties.All(p => p.Outcome is SmtUnsat))
        {
            failures.Add("expected verdict violated, but every property holds in every run");
        }

        if (expect.Verdict == ExpectedVerdict.Holds && violated.Count > 0)
        {
            failures.Add($"expected verdict holds, but [{string.Join(", ", violated)}] can fail");
        }

        if (expect.ViolatedProperty is { } vp && !violated.Contains(vp) && r.Complete)
        {
            failures.Add($"expected {vp} to be violated, but it was not");
        }

        if (!outcomesRun || expect.Outcomes.Count == 0 && expect.Combinations is null)
        {
            return (failures, notes);
        }

        if (!r.Complete || r.OutcomeEnumerationEnd is not SmtUnsat)
        {
            notes.Add(!r.Complete
                ? $"outcome expectations not judged: the bound {r.Bound} is below the scenario's full depth {r.FullDepth}"
                : "outcome expectations not judged: the outcome enumeration did not finish");
            return (failures, notes);
        }

        var exact = r.Symbolic.Fields.Count == 0;
        if (!exact)
        {
            notes.Add("symbolic fields: expected outcomes must each be reachable for some value; other reachable outcomes are listed, not failures");
        }

        var actors = r.Spec.Model.Actors.Select(a => a.Name).ToList();
        foreach (var (actor, patterns) in expect.Outcomes)
        {
            var index = actors.IndexOf(actor);
            var seen = r.JointOutcomes.Select(j => j.Outcomes[index]).Distinct().ToList();
            var missing = patterns.Where(p => !seen.Any(o => o.MatchesPattern(p))).ToList();
            var unexpected = exact ? seen.Where(o => !patterns.Any(o.MatchesPattern)).ToList() : [];
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                failures.Add($"{actor}: expected outcomes [{string.Join(", ", patterns)}], reached [{string.Join(", ", seen)}]");
            }
        }

        if (expect.Combinations is { } combos)
        {
            foreach (var combo in combos)
            {
                if (!r.JointOutcomes.Any(j => Accepts(combo, actors, j.Outcomes)))
                {
                    failures.Add($"joint outcome {{{string.Join(", ", combo.Select(kv => $"{kv.Key}: {kv.Value}"))}}} is never reached");
                }
            }

            if (exact)
            {
                foreach (var j in r.JointOutcomes.Where(j => !combos.Any(c => Accepts(c, actors, j.Outcomes))))
                {
                    failures.Add($"unexpected joint outcome {{{string.Join(", ", actors.Select((a, i) => $"{a}: {j.Outcomes[i]}"))}}}");
                }
            }
        }

        return (failures, notes);
    }

    private static bool Accepts(IReadOnlyDictionary<string, string> combo, List<string> actors, IReadOnlyList<Outcome> outcomes) =>
        combo.All(kv => actors.IndexOf(kv.Key) is var i and >= 0 && outcomes[i].MatchesPattern(kv.Value));
}
