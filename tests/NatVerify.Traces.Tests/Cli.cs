using NatVerify.Cli;

namespace NatVerify.Traces.Tests;

/// <summary>Runs the CLI in-process and captures its output.</summary>
internal static class Cli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = App.Run(args, stdout, stderr);
        return ((int)code, stdout.ToString(), stderr.ToString());
    }
}
