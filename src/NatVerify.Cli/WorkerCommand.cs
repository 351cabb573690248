using System.CommandLine;
using System.Runtime.InteropServices;
using NatVerify.Cluster.Hosting;

namespace NatVerify.Cli;

/// <summary><c>natverify worker</c>: runs an Orleans silo that hosts partitions of distributed checks (docs/distributed.md).</summary>
internal static class WorkerCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var cluster = new Option<string>("--cluster")
        {
            Description = "Cluster config: key=value pairs separated by ';' (membership=localhost or redis=HOST:PORT, partitions=N, ...) or a file of them.",
            Required = true,
        };
        var siloPort = new Option<int?>("--silo-port") { Description = "This silo's silo-to-silo port (default: the config's primary-port, 11111)." };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "This silo's client gateway port (default: the config's gateway-port, 30000)." };
        var command = new Command("worker", "Run a silo that hosts partitions of 'natverify check --cluster' runs, until interrupted (SIGINT/SIGTERM).")
        {
            cluster, siloPort, gatewayPort,
        };
        command.SetAction(parse =>
        {
            if (!ClusterCheck.TryParseConfig(parse.GetValue(cluster)!, stderr, out var config))
            {
                return (int)ExitCode.BadInput;
            }

            var silo = parse.GetValue(siloPort) ?? config.PrimaryPort;
            var gateway = parse.GetValue(gatewayPort) ?? config.GatewayPort;
            if (silo is < 1 or > 65535 || gateway is < 1 or > 65535)
            {
                stderr.WriteLine("error: --silo-port and --gateway-port must be from 1 to 65535");
                return (int)ExitCode.BadInput;
            }

            using var stop = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                stop.Cancel();
            });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
            {
                c.Cancel = true;
                stop.Cancel();
            });
            ClusterHosts.RunWorkerAsync(config, silo, gateway, address =>
            {
                stdout.WriteLine($"worker ready: silo {address} (silo port {silo}, gateway port {gateway})");
                stdout.Flush();
            }, stderr, stop.Token).GetAwaiter().GetResult();
            stdout.WriteLine("worker stopped");
            return (int)ExitCode.Holds;
        });
        return command;
    }
}
