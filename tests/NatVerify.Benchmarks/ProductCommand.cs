using System.Globalization;
using NatVerify.Checker;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Benchmarks;

/// <summary>
/// <c>product [SPEC.yaml ...]</c>: checks shipped specs exhaustively without and with partial-order
/// reduction and prints a table of states, transitions, reduced expansions, time and verdicts.
/// </summary>
public static class ProductCommand
{
    public static int Run(string[] args)
    {
        var files = new List<string>();
        foreach (string arg in args)
        {
            if (arg.StartsWith('-'))
            {
                throw new UsageException($"product: unknown option {arg}");
            }

            files.Add(arg);
        }

        if (files.Count == 0)
        {
            files.AddRange(TestSupport.RepositoryFiles.ScenarioSpecs()
                .Select(f => Path.GetRelativePath(Environment.CurrentDirectory, f)));
        }

        Console.WriteLine("| spec | states | transitions | states (POR) | transitions (POR) | reduced expansions | ms | ms (POR) | verdict |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        int failures = 0;
        foreach (string file in files)
        {
            ScenarioSpec spec;
            try
            {
                spec = SpecLoader.LoadFile(file);
            }
            catch (SpecException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            // Warm the JIT once so the two timings compare the searches, not compilation.
            _ = Verifier.Check(spec, Settings(false));
            VerificationResult full = Verifier.Check(spec, Settings(false));
            VerificationResult reduced = Verifier.Check(spec, Settings(true));
            bool same = full.Verdict == reduced.Verdict && full.ViolatedProperties.SequenceEqual(reduced.ViolatedProperties)
                && JointOutcomes(full).SequenceEqual(JointOutcomes(reduced));
            failures += same ? 0 : 1;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {file} | {full.Stats.StatesStored:N0} | {full.Stats.Transitions:N0} | {reduced.Stats.StatesStored:N0} | {reduced.Stats.Transitions:N0} | {reduced.Stats.ReducedExpansions:N0} | {full.Stats.Elapsed.TotalMilliseconds:F1} | {reduced.Stats.Elapsed.TotalMilliseconds:F1} | {full.Verdict.ToString().ToLowerInvariant()}{(same ? string.Empty : " (REDUCED DIFFERS)")} |"));
        }

        return failures == 0 ? 0 : 1;
    }

    private static CheckSettings Settings(bool reduce) => new()
    {
        Options = new CheckerOptions { StopAtFirstViolation = false, PartialOrderReduction = reduce },
    };

    // The joint outcomes without their terminal-state counts: the ghost quotient of the reduced search merges terminal
    // states that differ only in unobserved bookkeeping, so only the set is comparable.
    private static IEnumerable<string> JointOutcomes(VerificationResult result) =>
        result.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(StringComparer.Ordinal);
}
