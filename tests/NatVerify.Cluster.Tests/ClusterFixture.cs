using Microsoft.Extensions.Configuration;
using NatVerify.Cluster.Hosting;
using Orleans.Configuration;
using Orleans.TestingHost;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>Three in-process silos (Orleans TestingHost) with the NAT model factory, shared by a test class.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public static TestCluster Build(int silos)
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        return builder.Build();
    }

    public async Task InitializeAsync()
    {
        Cluster = Build(3);
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        // A dead silo must be noticed in seconds, not the default half minute.
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPartitionModels()
            .Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
    }
}
