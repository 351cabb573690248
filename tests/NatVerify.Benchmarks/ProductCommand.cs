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
            string root = Root();
            files.AddRange(Directory.EnumerateFiles(Path.Combine(root, "specs"), "*.yaml", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/specs/policies/", StringComparison.Ordinal) && !f.Contains("/specs/scale/", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
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
                && full.Stats.TerminalStates == reduced.Stats.TerminalStates;
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

    private static string Root()
    {
        var dir = new DirectoryInfo(Environment.CurrentDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NatVerify.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new UsageException($"product without spec files must run inside the repository (no NatVerify.sln above {Environment.CurrentDirectory})");
    }
}
