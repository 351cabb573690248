using System.Diagnostics;
using NatVerify.Cli;
using NatVerify.Smt.Bmc;
using NatVerify.Specs;

namespace NatVerify.Smt.Tests;

/// <summary>Paths, spec loading and in-process CLI runs for the SMT tests.</summary>
internal static class Support
{
    public static string Root => TestSupport.RepositoryFiles.Root;

    public static string SeedDir => Path.Combine(Root, "specs", "seed");

    public static string TestSpecs => Path.Combine(Root, "tests", "NatVerify.Smt.Tests", "specs");

    public static IEnumerable<string> SeedNames() =>
        Directory.EnumerateFiles(SeedDir, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static (ScenarioSpec Spec, SymbolicSpec Symbolic) Seed(string name) => SymbolicSpec.LoadFile(Path.Combine(SeedDir, name + ".yaml"));

    public static (ExitCode Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = App.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static string TempSpec(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"natverify-smt-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Runs the test assembly as a child process (see <see cref="StressProgram"/>).</summary>
    public static (int ExitCode, string Output, TimeSpan Elapsed) RunChild(TimeSpan limit, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        // Through sh, to switch core dumps off: a crashing child must leave no files behind.
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("ulimit -c 0; exec \"$0\" \"$@\"");
        psi.ArgumentList.Add(dotnet);
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(StressProgram).Assembly.Location);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, stdout.Result + stderr.Result + "\n(killed: time limit)", clock.Elapsed);
        }

        return (process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed);
    }

}
