namespace NatVerify.Checker;

/// <summary>
/// An encoder for models whose canonical state fits in 64 bits. The checker then stores a bijective mix of that
/// value instead of a hash of the byte encoding, so two distinct states can never share a fingerprint: the state
/// set is exact (collision probability 0) and no bytes are written per state.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
public interface ICompactStateEncoder<TState> : IStateEncoder<TState>
{
    /// <summary>
    /// Returns the canonical 64-bit value of <paramref name="state"/>: equal exactly when the states are equal in
    /// the model's sense (the same relation as <see cref="IStateEncoder{TState}.Encode"/>).
    /// </summary>
    /// <param name="state">The state to encode.</param>
    /// <returns>The canonical value; any 64-bit value is allowed.</returns>
    ulong EncodeCompact(TState state);
}
