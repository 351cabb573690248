using NatVerify.Checker;
using NatVerify.Cluster.Hosting;
using NatVerify.Cluster.Nat;
using NatVerify.Verification;

namespace NatVerify.Cli;

/// <summary><c>natverify check --cluster</c>: the coordinator side of a distributed check (docs/distributed.md).</summary>
internal static class ClusterCheck
{
    public static bool TryParseConfig(string text, TextWriter stderr, out ClusterConfig config)
    {
        try
        {
            config = ClusterConfig.Parse(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            config = new ClusterConfig();
            return false;
        }
    }

    /// <summary>Connects to the cluster for several checks (<c>policy --cluster</c>); null (after a message on stderr) when it cannot be reached.</summary>
    public static Session? Connect(ClusterConfig config, TextWriter stderr)
    {
        try
        {
            var (host, client) = ClusterHosts.ConnectAsync(config).GetAwaiter().GetResult();
            return new Session(config, host, client);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"error: cannot reach the cluster ({(config.Redis is null ? $"localhost gateway port {config.GatewayPort}" : "Redis membership")}): {e.Message}");
            return null;
        }
    }

    /// <summary>Runs the check on the cluster; null (after a message on stderr) when the cluster cannot be reached or the options do not apply.</summary>
    public static VerificationResult? Run(
        ClusterConfig config, string specName, string specText, CheckSettings settings, Action<ExplorationStats> progress, TextWriter human, TextWriter stderr)
    {
        if (settings.Options.Order != SearchOrder.BreadthFirst)
        {
            stderr.WriteLine("error: --cluster searches breadth-first only; drop --search dfs");
            return null;
        }

        Microsoft.Extensions.Hosting.IHost host;
        Orleans.IClusterClient client;
        try
        {
            (host, client) = ClusterHosts.ConnectAsync(config).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the connection attempt threw (no gateway listening, Redis unreachable, no silo in the table).
            stderr.WriteLine($"error: cannot reach the cluster ({(config.Redis is null ? $"localhost gateway port {config.GatewayPort}" : "Redis membership")}): {e.Message}");
            return null;
        }

        ClusterVerification run;
        using (host)
        {
            run = ClusterVerifier.CheckAsync(client, specName, specText, settings, config.Partitions, progress).GetAwaiter().GetResult();
            host.StopAsync().GetAwaiter().GetResult();
        }

        var c = run.Cluster;
        human.WriteLine($"Cluster: {c.Partitions} partitions on {c.Silos} silos, {c.Levels} levels; {c.BatchesSent:N0} batches carried {c.StatesSent:N0} states ({c.BytesSent / 1024.0 / 1024.0:N1} MiB) between partitions.");
        return run.Result;
    }

    /// <summary>A coordinator's connection that runs one check after another on the cluster.</summary>
    internal sealed class Session(ClusterConfig config, Microsoft.Extensions.Hosting.IHost host, Orleans.IClusterClient client) : IDisposable
    {
        /// <summary>Checks one spec on the cluster: the same result as <see cref="Verifier.Check"/> (docs/distributed.md).</summary>
        public VerificationResult Check(string specName, string specText, CheckSettings settings) =>
            ClusterVerifier.CheckAsync(client, specName, specText, settings, config.Partitions).GetAwaiter().GetResult().Result;

        public void Dispose()
        {
            try
            {
                host.StopAsync().GetAwaiter().GetResult();
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}
