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
        root.Subcommands.Add(WorkerCommand.Create(stdout, stderr));

        // The built-in --version prints only the version; ours adds the commit the build came from.
        if (args is ["--version"])
        {
            stdout.WriteLine(ToolVersion.Line);
            return ExitCode.Holds;
        }

        var debug = new Option<bool>("--debug")
        {
            Description = "On an internal error, print the full exception with its stack trace (otherwise one short line).",
            Recursive = true,
        };
        root.Options.Add(debug);

        // The one exception boundary of the CLI: whatever escapes a command (a bug, or a resource the process ran out
        // of) exits 4 with a short message, never with System.CommandLine's default handler, which prints a stack
        // trace and exits 1 ("violated").
        try
        {
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
                return (ExitCode)parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            }
            catch (Exception e)
            {
                return Internal(e, parse.GetValue(debug), stderr);
            }
        }
        catch (Exception e)
        {
            return Internal(e, args.Contains("--debug", StringComparer.Ordinal), stderr);
        }
    }

    /// <summary>Reports an exception that escaped a command: exit 4, one line unless --debug.</summary>
    internal static ExitCode Internal(Exception e, bool debug, TextWriter stderr)
    {
        var root = e;
        while (root is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && root.InnerException is not null)
        {
            root = root.InnerException!;
        }

        if (IsOutOfMemory(root))
        {
            stderr.WriteLine($"error: out of memory ({OneLine(root.Message)}). Give a smaller bound (--bmc, --max-states, --max-memory) or a smaller scenario.");
        }
        else
        {
            stderr.WriteLine($"internal error: {root.GetType().Name}: {OneLine(root.Message)}");
            stderr.WriteLine(debug
                ? "This is a bug in NatVerify; please report it with the command line and spec. Details:"
                : "This is a bug in NatVerify; please report it with the command line and spec (run again with --debug for details).");
        }

        if (debug)
        {
            stderr.WriteLine(e.ToString());
        }

        return ExitCode.InternalError;
    }

    /// <summary>The managed runtime's OutOfMemoryException, or Z3's "out of memory" error (it reports it as a message).</summary>
    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);

    private static string OneLine(string text)
    {
        var line = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
