using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace NatVerify.Cluster;

/// <summary>
/// Places partition k on the k-th silo (mod the silo count, silos ordered by address), so partitions spread evenly
/// over the silos present when the run starts; hash placement left a silo of three empty with six partitions.
/// </summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.PartitionPlacement")]
public sealed class PartitionPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static readonly PartitionPlacement Instance = new();
}

/// <summary>Marks a grain class for <see cref="PartitionPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PartitionPlacementAttribute() : PlacementAttribute(PartitionPlacement.Instance);

/// <summary>Chooses the silo for <see cref="PartitionPlacement"/>.</summary>
public sealed class PartitionPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        var key = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(silos[(int)((ulong)key % (ulong)silos.Length)]);
    }
}
