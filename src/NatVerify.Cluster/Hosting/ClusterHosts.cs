using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NatVerify.Cluster.Hosting;

/// <summary>Starts coordinators and workers as .NET generic hosts, without reading appsettings or environment configuration.</summary>
public static class ClusterHosts
{
    /// <summary>Connects a coordinator to the cluster; dispose the host to disconnect.</summary>
    public static async Task<(IHost Host, IClusterClient Client)> ConnectAsync(ClusterConfig config, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.ConfigureCoordinator(config));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return (host, host.Services.GetRequiredService<IClusterClient>());
    }

    /// <summary>Runs a worker silo until <paramref name="stop"/> is signalled; <paramref name="ready"/> is called once it has joined.</summary>
    public static async Task RunWorkerAsync(ClusterConfig config, int siloPort, int gatewayPort, Action<string> ready, TextWriter? log, CancellationToken stop)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        if (log is not null)
        {
            builder.Logging.AddProvider(new WriterLoggerProvider(log));
        }

        builder.UseOrleans(silo => silo.ConfigureWorker(config, siloPort, gatewayPort));
        using var host = builder.Build();
        await host.StartAsync(stop);
        var silo = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
        ready(silo.SiloAddress.ToString());
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop: leave the cluster gracefully below.
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.StopAsync(grace.Token);
    }

    /// <summary>Warnings and errors of the silo, one line each, for the worker's stderr.</summary>
    private sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new WriterLogger(writer, categoryName);

        public void Dispose()
        {
        }

        private sealed class WriterLogger(TextWriter writer, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    lock (writer)
                    {
                        writer.WriteLine($"{logLevel}: {category}: {formatter(state, exception)}");
                    }
                }
            }
        }
    }
}
