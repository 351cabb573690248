namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a state encoder: a short byte form of a state that can be turned back into the state.
/// Breadth-first search then keeps the waiting states as packed bytes (unpacked when dequeued) instead of as state
/// objects; for models with large state objects that is most of a run's memory, since the breadth-first frontier
/// holds a large share of all states. The packed form need not be canonical (fingerprints still come from
/// <see cref="IStateEncoder{TState}.Encode"/>), so it may, for example, number values by first use.
/// </summary>
/// <remarks>
/// The engine calls <see cref="Pack"/> and <see cref="Unpack"/> only from the thread that runs the search, never
/// concurrently, also with two workers; one instance serves one run.
/// </remarks>
/// <typeparam name="TState">The state type.</typeparam>
public interface IStatePacker<TState>
{
    /// <summary>Appends the packed form of <paramref name="state"/> to <paramref name="writer"/>.</summary>
    /// <param name="state">The state.</param>
    /// <param name="writer">The buffer; the engine resets it before each call.</param>
    void Pack(TState state, StateWriter writer);

    /// <summary>Rebuilds a state from bytes <see cref="Pack"/> of this instance wrote; equal in the model's sense to the state packed.</summary>
    /// <param name="packed">The bytes of one packed state.</param>
    /// <returns>The state.</returns>
    TState Unpack(ReadOnlySpan<byte> packed);
}
