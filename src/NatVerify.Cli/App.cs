using System.CommandLine;

namespace NatVerify.Cli;

/// <summary>The command tree. Handlers write only to the given writers so tests can run the CLI in-process.</summary>
public static class App
{
    /// <summary>Parses and runs the arguments; returns the exit code.</summary>
    public static ExitCode Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand(
            "NatVerify: a model checker for Linux conntrack/NAT tuple uniqueness. It explores every interleaving of the " +
            "atomic conntrack and NAT steps of a scenario and checks that null binding and confirm keep tuples unique.");
        root.Subcommands.Add(CheckCommand.Create(stdout, stderr));
        root.Subcommands.Add(SpecsCommand.Create(stdout));
        root.Subcommands.Add(ReplayCommand.Create(stdout, stderr));
        root.Subcommands.Add(TraceCommand.Create(stdout, stderr));
        root.Subcommands.Add(MutantsCommand.Create(stdout, stderr));
        root.Subcommands.Add(PropsCommand.Create(stdout, stderr));
        root.Subcommands.Add(OracleCommand.Create(stdout, stderr));
        root.Subcommands.Add(AgentCommand.Create(stdout, stderr));
        root.Subcommands.Add(ProveCommand.Create(stdout, stderr));
        root.Subcommands.Add(PolicyCommand.Create(stdout, stderr));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            stderr.WriteLine("Run 'natverify --help' for usage.");
            return ExitCode.BadInput;
        }

        try
        {
            return (ExitCode)parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        }
        catch (Exception e)
        {
            stderr.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            stderr.WriteLine("This is a bug in NatVerify; please report it with the command line and spec. Details:");
            stderr.WriteLine(e.StackTrace);
            return ExitCode.InternalError;
        }
    }
}
