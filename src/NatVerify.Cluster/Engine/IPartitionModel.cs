using NatVerify.Checker;

namespace NatVerify.Cluster;

/// <summary>
/// The model as a partition sees it: encoded states in, encoded successors and invariant failures out. Built by
/// <see cref="ClusterModel{TState, TAction}"/> from any transition system with a lossless codec.
/// </summary>
public interface IPartitionModel
{
    /// <summary>Gets the number of invariants, in list order.</summary>
    int InvariantCount { get; }

    /// <summary>Writes the encoding of the initial state number <paramref name="index"/>.</summary>
    /// <returns>The number of initial states.</returns>
    int EncodeInitial(int index, StateWriter writer);

    /// <summary>Adds (invariant index, message) for every invariant that fails in the encoded state.</summary>
    void Check(ReadOnlySpan<byte> state, List<(int Invariant, string Message)> failures);

    /// <summary>
    /// Decodes and expands a state: each successor's encoding is added to <paramref name="successors"/> in the
    /// system's successor order (ordinal = position), with parent fingerprint <paramref name="fingerprint"/>.
    /// </summary>
    /// <returns>The number of successors; when 0, <paramref name="terminalLabel"/> classifies the terminal state.</returns>
    int Expand(ReadOnlySpan<byte> state, ulong fingerprint, EncodedStatesSink successors, out string? terminalLabel);
}

/// <summary>Receives successor encodings from <see cref="IPartitionModel.Expand"/>.</summary>
public abstract class EncodedStatesSink
{
    /// <summary>Takes one successor.</summary>
    public abstract void Add(ReadOnlySpan<byte> state, ulong fingerprint, ulong parent, int ordinal);
}

/// <summary>Builds the <see cref="IPartitionModel"/> a <see cref="ModelJob"/> describes; registered in each silo's services.</summary>
public interface IPartitionModelFactory
{
    /// <summary>Gets the <see cref="ModelJob.Kind"/> this factory builds.</summary>
    string Kind { get; }

    /// <summary>Loads the model from the job's payload.</summary>
    IPartitionModel Create(string payload);
}
