namespace NatVerify.Cli;

/// <summary>Entry point of the <c>natverify</c> command.</summary>
public static class Program
{
    /// <summary>Runs the CLI and returns its exit code.</summary>
    public static int Main(string[] args) => (int)App.Run(args, Console.Out, Console.Error);
}
