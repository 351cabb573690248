using System.Globalization;
using NatVerify.Smt.Runtime;

namespace NatVerify.Smt.Tests;

/// <summary>
/// The test assembly's entry point, used only as the child process of the Z3 finalizer stress test
/// (<c>dotnet exec NatVerify.Smt.Tests.dll z3-stress SECONDS CONTEXTS SEED [passthrough]</c>): a crash of an unsound
/// shim then kills the child, not the test host, and the test reports it.
/// </summary>
public static class StressProgram
{
    public const string Verb = "z3-stress";

    public static int Main(string[] args)
    {
        if (args.Length < 4 || args[0] != Verb)
        {
            Console.Error.WriteLine($"usage: {Verb} SECONDS CONTEXTS SEED [passthrough]");
            return 2;
        }

        var options = new StressOptions(
            TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture)),
            int.Parse(args[2], CultureInfo.InvariantCulture),
            int.Parse(args[3], CultureInfo.InvariantCulture),
            args.Length > 4 && args[4] == "passthrough");
        Console.WriteLine($"seed {options.Seed}, {options.Contexts} contexts, {options.Duration.TotalSeconds} s, passthrough {options.Passthrough}");
        Console.Out.Flush();
        var report = Z3Diagnostics.Stress(options);
        Console.WriteLine($"checks {report.Checks} wrong {report.Wrong} errors {report.Errors} collections {report.Collections}");
        Console.WriteLine($"shim after: {report.After}");
        foreach (var m in report.Messages)
        {
            Console.WriteLine($"error: {m}");
        }

        return report.Wrong == 0 && report.Errors == 0 && report.After is { Failed: 0 } ? 0 : 1;
    }
}
