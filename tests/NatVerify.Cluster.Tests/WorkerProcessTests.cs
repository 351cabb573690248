using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NatVerify.Cluster.Hosting;
using NatVerify.Cluster.Nat;
using NatVerify.Specs;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>
/// End to end: a private redis-server (membership), three <c>natverify worker</c> processes, and a coordinator in this
/// process check the 417,673-state load spec; counts, verdict and outcomes equal the single-machine check. Takes a
/// minute or more on a 2-core machine, hence Long. Needs redis-server (scripts/setup.sh) and the built CLI.
/// </summary>
public sealed class WorkerProcessTests
{
    private const string Spec = "tests/NatVerify.Cluster.Tests/Data/dns-four-queries.yaml";

    [Fact]
    [Trait("Category", "Long")]
    public async Task Three_worker_processes_with_redis_membership_equal_the_single_machine_check()
    {
        var cli = CliPath();
        Assert.True(File.Exists(cli), $"the natverify CLI is not built at {cli} (dotnet build src/NatVerify.Cli)");
        var redisServer = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        Assert.True(redisServer is not null, "redis-server is not installed (scripts/setup.sh installs it)");

        var dir = Directory.CreateTempSubdirectory("natverify-cluster-e2e-");
        var processes = new List<Process>();
        try
        {
            var redisPort = FreePort();
            processes.Add(Start(redisServer!, ["--port", $"{redisPort}", "--bind", "127.0.0.1", "--dir", dir.FullName, "--save", "", "--appendonly", "no"], dir.FullName));
            await WaitForPort(redisPort);

            var clusterId = $"e2e-{Guid.NewGuid():N}";
            var config = $"redis=127.0.0.1:{redisPort};cluster-id={clusterId};partitions=6;response-timeout=60";
            var workers = new List<Process>();
            for (var i = 0; i < 3; i++)
            {
                var worker = Start(cli, ["worker", "--cluster", config, "--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}"], dir.FullName);
                processes.Add(worker);
                workers.Add(worker);
            }

            foreach (var worker in workers)
            {
                await WaitForLine(worker, "worker ready", TimeSpan.FromSeconds(90));
            }

            var text = Specs.Text(Spec);
            var local = Verifier.Check(SpecLoader.Parse(text, Spec), new CheckSettings());
            var (host, client) = await ClusterHosts.ConnectAsync(ClusterConfig.Parse(config));
            ClusterVerification run;
            using (host)
            {
                run = await ClusterVerifier.CheckAsync(client, Spec, text, new CheckSettings(), 6);
                await host.StopAsync();
            }

            Assert.Equal(3, run.Cluster.Silos);
            Assert.Equal(local.Verdict, run.Result.Verdict);
            Assert.Equal(417_673, run.Result.Stats.StatesStored);
            Assert.Equal(local.Stats.StatesStored, run.Result.Stats.StatesStored);
            Assert.Equal(local.Stats.Transitions, run.Result.Stats.Transitions);
            Assert.Equal(local.Stats.TerminalStates, run.Result.Stats.TerminalStates);
            Assert.Equal(
                local.Outcomes.Joint.Select(j => $"{string.Join("|", j.Outcomes)} x{j.TerminalStates}").Order(StringComparer.Ordinal),
                run.Result.Outcomes.Joint.Select(j => $"{string.Join("|", j.Outcomes)} x{j.TerminalStates}").Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var p in processes)
            {
                try
                {
                    if (!p.HasExited)
                    {
                        p.Kill(entireProcessTree: true);
                        await p.WaitForExitAsync();
                    }
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }

                p.Dispose();
            }

            dir.Delete(recursive: true);
        }
    }

    private static string CliPath()
    {
        // bin/<Configuration>/<tfm>/ of this test assembly names the configuration the CLI was built in too.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = tfm.Parent!.Name;
        return Specs.Path(Path.Combine("src", "NatVerify.Cli", "bin", configuration, tfm.Name, "natverify"));
    }

    private static Process Start(string file, string[] args, string workingDirectory)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForLine(Process process, string marker, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new InvalidOperationException($"process {process.Id} ended before printing '{marker}'");
    }

    private static async Task WaitForPort(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on port {port}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
