using NatVerify.Checker;

namespace NatVerify.Cluster;

/// <summary>
/// A lossless canonical state encoding: states travel between partitions as bytes and are decoded where they are
/// expanded, so <see cref="Decode"/> must rebuild a state equal (in the model's sense) to the one encoded.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
public interface IStateCodec<TState> : IStateEncoder<TState>
{
    /// <summary>Rebuilds the state whose encoding is <paramref name="bytes"/>.</summary>
    /// <param name="bytes">Bytes written by <see cref="IStateEncoder{TState}.Encode"/>.</param>
    /// <returns>The state.</returns>
    TState Decode(ReadOnlySpan<byte> bytes);
}
