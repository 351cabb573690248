using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NatVerify.Cluster.Nat;
using Orleans.Configuration;
using StackExchange.Redis;

namespace NatVerify.Cluster.Hosting;

/// <summary>Configures silos (workers) and clients (coordinators) from a <see cref="ClusterConfig"/>.</summary>
public static class ClusterHosting
{
    /// <summary>Makes <paramref name="silo"/> a NatVerify worker: membership, endpoints, the NAT model factory.</summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="config">The cluster configuration.</param>
    /// <param name="siloPort">This silo's silo-to-silo port.</param>
    /// <param name="gatewayPort">This silo's client gateway port.</param>
    public static ISiloBuilder ConfigureWorker(this ISiloBuilder silo, ClusterConfig config, int siloPort, int gatewayPort)
    {
        if (config.Redis is { } redis)
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = config.ClusterId;
                o.ServiceId = config.ServiceId;
            });
            silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
            silo.ConfigureEndpoints(config.Advertise, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(config.Advertise));
        }
        else
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, config.PrimaryPort), config.ServiceId, config.ClusterId);
        }

        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = config.ResponseTimeout);
        silo.AddPartitionModels();
        return silo;
    }

    /// <summary>Registers the model factories partitions load jobs with (NAT checks).</summary>
    public static ISiloBuilder AddPartitionModels(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<IPartitionModelFactory, NatModelFactory>();
        silo.Services.AddPlacementDirector<PartitionPlacement, PartitionPlacementDirector>();
        return silo;
    }

    /// <summary>Makes <paramref name="client"/> a coordinator connected to the cluster.</summary>
    public static IClientBuilder ConfigureCoordinator(this IClientBuilder client, ClusterConfig config)
    {
        if (config.Redis is { } redis)
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = config.ClusterId;
                o.ServiceId = config.ServiceId;
            });
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
        }
        else
        {
            client.UseLocalhostClustering(config.GatewayPort, config.ServiceId, config.ClusterId);
        }

        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = config.ResponseTimeout);
        return client;
    }
}
