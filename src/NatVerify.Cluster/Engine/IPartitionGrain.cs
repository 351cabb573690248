using Orleans.Concurrency;

namespace NatVerify.Cluster;

/// <summary>
/// One partition of a distributed breadth-first search, keyed by partition index: it owns the states whose
/// fingerprint maps to its index (visited set with parent links, and its share of the frontier). Every call names the
/// run; a partition that does not hold that run's state (a fresh activation after its silo died) throws
/// <see cref="PartitionLostException"/> rather than answer from an empty table.
/// </summary>
public interface IPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Loads the model and resets the partition for a new run.</summary>
    /// <returns>The identity of the silo hosting the partition.</returns>
    Task<string> Init(Guid run, int partitions, ModelJob job);

    /// <summary>Stores the initial states this partition owns (level 0) and checks the invariants in them.</summary>
    Task<LevelReport> Seed(Guid run);

    /// <summary>Starts expanding the current frontier (the states at depth <paramref name="level"/>) in the background; successors go to their owners' <see cref="Receive"/>.</summary>
    Task StartExpand(Guid run, int level, DateTime deadlineUtc);

    /// <summary>Reports whether the expansion started by <see cref="StartExpand"/> has finished (all its batches acknowledged).</summary>
    Task<ExpandStatus> Poll(Guid run);

    /// <summary>Takes successor states (at depth <paramref name="depth"/>) this partition owns: new ones are stored, checked and queued for the next level.</summary>
    [AlwaysInterleave]
    Task Receive(Guid run, int depth, StateBatch batch);

    /// <summary>The level barrier: the states received during the level become the frontier.</summary>
    Task<LevelReport> Advance(Guid run);

    /// <summary>Returns how a stored state was reached, for rebuilding a counterexample.</summary>
    Task<ParentLink> ParentOf(Guid run, ulong state);

    /// <summary>Returns the first violation of each invariant and the terminal classes.</summary>
    Task<PartitionSummary> Summary(Guid run);

    /// <summary>Drops the run's state and lets the activation go.</summary>
    Task Release(Guid run);
}
