using System.CommandLine;
using System.Globalization;
using NatVerify.Oracle.Agent;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify agent</c> (hidden): the kernel oracle's helper, started by the oracle inside a network namespace
/// as <c>ip netns exec NS natverify agent</c>. It opens the scenario's sockets and servers and answers the
/// oracle's requests on stdin/stdout (<see cref="AgentHost"/>); it exits on request, at the end of its input, or
/// when its lifetime runs out, whichever comes first.
/// </summary>
internal static class AgentCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var lifetime = new Option<int>("--lifetime")
        {
            Description = "Exit after this many seconds whatever happens (1-3600).",
            DefaultValueFactory = _ => 60,
        };
        var runId = new Option<string?>("--run-id") { Description = "The oracle run this agent belongs to (shown in process listings)." };
        var command = new Command("agent", "Internal: the kernel oracle's socket agent, run inside a network namespace.")
        {
            lifetime, runId,
        };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var seconds = parse.GetValue(lifetime);
            if (seconds is < 1 or > 3600)
            {
                stderr.WriteLine("error: --lifetime must be 1-3600 seconds");
                return (int)ExitCode.BadInput;
            }

            // The watchdog ends the process even while a socket call blocks: an agent never outlives its run.
            using var watchdog = new Timer(
                _ =>
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agent: lifetime of {seconds} s is over, exiting"));
                    Environment.Exit((int)ExitCode.Inconclusive);
                },
                null,
                TimeSpan.FromSeconds(seconds),
                Timeout.InfiniteTimeSpan);
            return AgentHost.Run(Console.In, stdout);
        });
        return command;
    }
}
