namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a transition system whose states own storage worth reusing (a slot array per state): the
/// search hands back the states it has finished with, and the system builds later states in their storage instead of
/// allocating.
/// </summary>
/// <remarks>
/// The engine recycles only where states are transient: the single-threaded breadth-first search that queues packed
/// states (<see cref="IRunFingerprinter{TState}"/>), where a successor is dropped once it is packed, stored and
/// checked, and a state unpacked for expansion is dropped once its successors are; and only without partial-order
/// reduction or sleep sets, whose bookkeeping is not written with reuse in mind. It never recycles a state it has given
/// to an observer or an initial state. It hands back every successor the system returned and the parent, so a system
/// that returns one object twice (or the parent itself) gets it back twice and must ignore the second time. Whatever
/// else keeps a reference to a state (an invariant that remembers the last state it checked, say) may compare it by
/// identity only: a recycled object is never handed out again, only its storage is.
/// </remarks>
/// <typeparam name="TState">The state type.</typeparam>
public interface IStateRecycler<TState>
{
    /// <summary>Takes back a state nothing in the search refers to any more; it must not be read after this call.</summary>
    /// <param name="state">The finished state.</param>
    void Recycle(TState state);
}
