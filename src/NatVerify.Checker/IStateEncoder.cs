namespace NatVerify.Checker;

/// <summary>Writes a canonical byte encoding of a state; states that are equal in the model's sense must give equal bytes.</summary>
/// <typeparam name="TState">The state type.</typeparam>
public interface IStateEncoder<TState>
{
    /// <summary>Appends the canonical encoding of <paramref name="state"/> to <paramref name="writer"/>.</summary>
    /// <param name="state">The state to encode.</param>
    /// <param name="writer">The buffer to write to; the checker resets it before each call.</param>
    void Encode(TState state, StateWriter writer);
}
