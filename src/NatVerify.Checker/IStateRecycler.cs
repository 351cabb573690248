namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a transition system whose states own storage worth reusing (a slot array per state): the
/// search hands back the states it has finished with, and the system builds later states in their storage instead of
/// allocating.
/// </summary>
/// <remarks>
/// The engine recycles only where states are transient: the single-threaded breadth-first search that queues packed
/// states (<see cref="IRunFingerprinter{TState}"/>), where a successor is dropped once it is packed, stored and
/// checked, and a state unpacked for expansion is dropped once its successors are. It never recycles a state it has
/// given to an observer, an initial state, or the same object twice. Whatever else keeps a state (an invariant that
/// remembers the last state it checked, say) must tell a state from the recycled storage of an earlier one.
/// </remarks>
/// <typeparam name="TState">The state type.</typeparam>
public interface IStateRecycler<TState>
{
    /// <summary>Takes back a state nothing in the search refers to any more; it must not be read after this call.</summary>
    /// <param name="state">The finished state.</param>
    void Recycle(TState state);
}
