using System.Runtime.CompilerServices;
using NatVerify.Checker;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Traces;
using NatVerify.Verification;

namespace NatVerify.Traces.Tests;

/// <summary>The repository's specs and helpers to turn a check into a trace file.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string SpecPath(string relative) => Path.Combine(Root, relative);

    public static (ScenarioSpec Spec, string Text) Load(string relative)
    {
        var path = SpecPath(relative);
        var text = File.ReadAllText(path);
        return (SpecLoader.Parse(text, path), text);
    }

    public static IEnumerable<string> SpecFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "specs"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/specs/policies/", StringComparison.Ordinal) && !f.Contains("/specs/scale/", StringComparison.Ordinal)) // policy inputs; scale benchmarks of millions of states (docs/performance.md)
            .Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal);

    /// <summary>Checks a spec and records its counterexample as a trace file.</summary>
    public static TraceFile Counterexample(string relative, Model.KernelMutant mutant, string? property = null)
    {
        var (spec, text) = Load(relative);
        var settings = new CheckSettings { Mutant = mutant, Properties = property is null ? null : [property] };
        var result = Verifier.Check(spec, settings);
        var violation = result.Violation ?? throw new InvalidOperationException($"{relative} under {mutant} is not violated");
        return TraceRecorder.RecordViolation(Source(spec, text, relative, result, settings), violation.Trace, violation.Invariant.Id);
    }

    /// <summary>Checks a spec and records the witness of its first joint outcome.</summary>
    public static (TraceFile File, Trace<NatState, NatStep> Trace, VerificationResult Result) Witness(string relative, int joint = 0)
    {
        var (spec, text) = Load(relative);
        var settings = new CheckSettings();
        var result = Verifier.Check(spec, settings);
        var witness = result.Outcomes.Joint[joint].Witness;
        return (TraceRecorder.RecordWitness(Source(spec, text, relative, result, settings), witness), witness, result);
    }

    public static TraceSource Source(ScenarioSpec spec, string text, string relative, VerificationResult result, CheckSettings settings) =>
        new(SpecEmbedding.Embed(spec, text, relative), result.Semantics, settings.Properties ?? spec.Properties, EngineSettings.Of(settings.Options));

    /// <summary>A fresh temporary directory, deleted by the caller.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nv-traces-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot([CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NatVerify.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"NatVerify.sln not found above {source}");
    }
}
