using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Specs;

namespace NatVerify.Verification;

/// <summary>Compares a check's result with the spec's <c>expect:</c> block.</summary>
public static class Expectations
{
    /// <summary>
    /// The expectation failures of a result. Under a mutant only the spec's <c>mutants:</c> entry for that mutant
    /// applies (the property it must violate); outcome sets are compared only after an exhaustive run.
    /// </summary>
    public static IReadOnlyList<string> Evaluate(VerificationResult result)
    {
        var failures = new List<string>();
        var expect = result.Spec.Expect;
        if (result.Mutant != KernelMutant.None)
        {
            if (expect.Mutants.TryGetValue(result.Mutant.CliName(), out var property) && !result.ViolatedProperties.Contains(property))
            {
                failures.Add($"mutant {result.Mutant.CliName()} should violate {property}, but {Describe(result)}");
            }

            return failures;
        }

        // A bounded run proves nothing either way: expectations are judged only on exhaustive runs.
        if (!result.Exhaustive)
        {
            return failures;
        }

        var expectedVerdict = expect.Verdict switch
        {
            ExpectedVerdict.Holds => Verdict.Holds,
            ExpectedVerdict.Violated => Verdict.Violated,
            ExpectedVerdict.Inconclusive => Verdict.Inconclusive,
            _ => (Verdict?)null,
        };
        if (expectedVerdict is { } v && v != result.Verdict)
        {
            failures.Add($"expected verdict {v.ToString().ToLowerInvariant()}, got {result.Verdict.ToString().ToLowerInvariant()}");
        }

        if (expect.ViolatedProperty is { } p && !result.ViolatedProperties.Contains(p))
        {
            failures.Add($"expected {p} to be violated, but {Describe(result)}");
        }

        var actors = result.Outcomes.Actors;
        foreach (var (actor, patterns) in expect.Outcomes)
        {
            var index = actors.ToList().IndexOf(actor);
            var seen = result.Outcomes.Of(index);
            var unexpected = seen.Where(o => !patterns.Any(o.MatchesPattern)).ToList();
            var missing = patterns.Where(pt => !seen.Any(o => o.MatchesPattern(pt))).ToList();
            if (unexpected.Count > 0 || missing.Count > 0)
            {
                failures.Add($"{actor}: expected outcomes [{string.Join(", ", patterns)}], reached [{string.Join(", ", seen)}]");
            }
        }

        if (expect.Combinations is { } combos)
        {
            var reached = result.Outcomes.Joint;
            foreach (var joint in reached)
            {
                if (!combos.Any(c => Accepts(c, actors, joint.Outcomes)))
                {
                    failures.Add($"unexpected joint outcome {{{Format(actors, joint.Outcomes)}}}");
                }
            }

            foreach (var combo in combos)
            {
                if (!reached.Any(j => Accepts(combo, actors, j.Outcomes)))
                {
                    failures.Add($"joint outcome {{{string.Join(", ", combo.Select(kv => $"{kv.Key}: {kv.Value}"))}}} is never reached");
                }
            }
        }

        return failures;
    }

    private static bool Accepts(IReadOnlyDictionary<string, string> combo, IReadOnlyList<string> actors, IReadOnlyList<Outcome> outcomes)
    {
        foreach (var (actor, pattern) in combo)
        {
            var index = actors.ToList().IndexOf(actor);
            if (index < 0 || !outcomes[index].MatchesPattern(pattern))
            {
                return false;
            }
        }

        return true;
    }

    private static string Format(IReadOnlyList<string> actors, IReadOnlyList<Outcome> outcomes) =>
        string.Join(", ", actors.Select((a, i) => $"{a}: {outcomes[i]}"));

    private static string Describe(VerificationResult result) => result.ViolatedProperties.Count == 0
        ? $"no property failed (verdict {result.Verdict.ToString().ToLowerInvariant()})"
        : $"only [{string.Join(", ", result.ViolatedProperties)}] failed";
}
