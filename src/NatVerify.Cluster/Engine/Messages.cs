namespace NatVerify.Cluster;

/// <summary>What a partition loads: the kind of model (a registered <see cref="IPartitionModelFactory"/>) and its opaque description.</summary>
/// <param name="Kind">The factory's <see cref="IPartitionModelFactory.Kind"/>.</param>
/// <param name="Payload">The model description (for NAT checks: the spec text and check settings as JSON).</param>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.ModelJob")]
public sealed record ModelJob([property: Id(0)] string Kind, [property: Id(1)] string Payload);

/// <summary>Successor states sent to the partition that owns them: encodings packed back to back with their fingerprint, parent and step ordinal.</summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.StateBatch")]
public sealed class StateBatch
{
    /// <summary>The encodings, back to back.</summary>
    [Id(0)] public byte[] Data { get; init; } = [];

    /// <summary>End offset of each encoding in <see cref="Data"/>.</summary>
    [Id(1)] public int[] Ends { get; init; } = [];

    /// <summary>Each state's fingerprint (the hash of its encoding).</summary>
    [Id(2)] public ulong[] Fingerprints { get; init; } = [];

    /// <summary>The fingerprint of the state each was generated from.</summary>
    [Id(3)] public ulong[] Parents { get; init; } = [];

    /// <summary>Each state's position in its parent's successor list.</summary>
    [Id(4)] public int[] Ordinals { get; init; } = [];
}

/// <summary>A partition's answer to a poll during a level's expansion.</summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.ExpandStatus")]
public sealed record ExpandStatus(
    [property: Id(0)] bool Done,
    [property: Id(1)] bool CutByDeadline,
    [property: Id(2)] string? Error,
    [property: Id(3)] long Expanded);

/// <summary>A partition's counters after a level barrier (totals since the run started, except where noted).</summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.LevelReport")]
public sealed record LevelReport(
    [property: Id(0)] long Stored,
    [property: Id(1)] long Frontier,
    [property: Id(2)] long Transitions,
    [property: Id(3)] long Terminal,
    [property: Id(4)] int ViolatedInvariants,
    [property: Id(5)] long BatchesSent,
    [property: Id(6)] long BytesSent,
    [property: Id(7)] long StatesSent,
    [property: Id(8)] long HeapBytes,
    [property: Id(9)] long TableBytes,
    [property: Id(10)] string Silo);

/// <summary>How a stored state was reached: its parent's fingerprint and step ordinal, or the initial state's index.</summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.ParentLink")]
public sealed record ParentLink([property: Id(0)] bool Known, [property: Id(1)] bool Initial, [property: Id(2)] ulong Parent, [property: Id(3)] int Ordinal);

/// <summary>The first violation of one invariant a partition stored (at the lowest depth, since levels only grow).</summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.ViolationReport")]
public sealed record ViolationReport([property: Id(0)] int Invariant, [property: Id(1)] string Message, [property: Id(2)] ulong State, [property: Id(3)] int Depth);

/// <summary>Terminal states of one class (e.g. one joint outcome): how many, and the shallowest one as witness.</summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.TerminalReport")]
public sealed record TerminalReport([property: Id(0)] string Label, [property: Id(1)] long Count, [property: Id(2)] ulong Witness, [property: Id(3)] int Depth);

/// <summary>A partition's violations and terminal classes at the end of a run.</summary>
[GenerateSerializer, Immutable, Alias("NatVerify.Cluster.PartitionSummary")]
public sealed record PartitionSummary([property: Id(0)] ViolationReport[] Violations, [property: Id(1)] TerminalReport[] Terminals);

/// <summary>Thrown by a partition whose state does not belong to the run (a fresh activation after its silo died).</summary>
[GenerateSerializer, Alias("NatVerify.Cluster.PartitionLostException")]
public sealed class PartitionLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PartitionLostException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PartitionLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public PartitionLostException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
