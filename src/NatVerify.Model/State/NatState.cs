namespace NatVerify.Model.State;

/// <summary>
/// The whole model state: one <see cref="Slot"/> per scenario actor, in scenario order. Immutable: steps
/// build new states. Fresh ports are kept canonically numbered (see <see cref="Semantics.Canonicalizer"/>). A search
/// that has finished with a state may hand its storage back (<see cref="Recycle"/>); the state then has no slots.
/// </summary>
public sealed class NatState : IEquatable<NatState>
{
    // Most slot arrays one thread keeps for reuse: a search recycles a group of expansions at a time (16 parents and
    // their successors), and a few hundred arrays of a few hundred bytes are nothing next to the search's tables.
    private const int PoolLimit = 1024;

    // Slot arrays of recycled states, per thread: the search recycles on the thread that expands, so the next successors
    // built on that thread take them back without a lock. One thread-static (a thread-static read is a call into the
    // runtime's thread-local storage here).
    [ThreadStatic]
    private static SlotPool? t_pool;

    // Replaced by an empty array when the state is recycled (Recycle): a state must not be read after that, and one that
    // is sees no slots at all rather than another state's.
    private Slot[] _slots;

    internal NatState(Slot[] slots) => _slots = slots;

    /// <summary>
    /// Rebuilds a state from the slots of a state the semantics produced (as a packed frontier stores them, or after
    /// it was shipped between machines by NatVerify.Cluster); the slots
    /// must already be canonical. The array is kept, not copied.
    /// </summary>
    public static NatState FromCanonicalSlots(Slot[] slots) => new(slots);

    /// <summary>The slots, indexed like the scenario's actors.</summary>
    public ReadOnlySpan<Slot> Slots => _slots;

    /// <summary>Number of actors.</summary>
    public int Count => _slots.Length;

    /// <summary>One actor's slot.</summary>
    public Slot this[int actor] => _slots[actor];

    /// <summary>A copy of the slots for building a successor.</summary>
    /// <remarks>A pooled array and a block copy: <c>Array.Clone</c> (<c>MemberwiseClone</c>) allocates through the runtime's
    /// slow path and was 5% of an unreduced search, and a new array per successor was most of its allocation.</remarks>
    internal Slot[] CopySlots() => CopyOf(_slots);

    /// <summary>A copy of slots being built into a successor, in pooled storage (<see cref="RentSlots"/>).</summary>
    internal static Slot[] CopyOf(ReadOnlySpan<Slot> slots)
    {
        var copy = RentSlots(slots.Length);
        slots.CopyTo(copy);
        return copy;
    }

    /// <summary>
    /// An array of <paramref name="count"/> slots to fill and hand to <see cref="FromCanonicalSlots"/>: the storage of a
    /// recycled state when this thread has one of that size, else a new array. Its contents are unspecified.
    /// </summary>
    public static Slot[] RentSlots(int count)
    {
        var pool = t_pool;
        if (pool is not null && pool.Count > 0)
        {
            var slots = pool.Arrays[--pool.Count];
            pool.Arrays[pool.Count] = null!;
            if (slots.Length == count)
            {
                return slots;
            }
        }

        return new Slot[count];
    }

    /// <summary>
    /// Takes back the storage of a state that nothing refers to any more (the search's <c>IStateRecycler</c>), for
    /// <see cref="RentSlots"/> to hand out again on this thread. The state must not be read afterwards: it is left with
    /// no slots. Taking back the same state twice does nothing the second time.
    /// </summary>
    public static void Recycle(NatState state)
    {
        var slots = state._slots;
        if (slots.Length == 0)
        {
            return;
        }

        state._slots = [];
        var pool = t_pool ??= new SlotPool();
        if (pool.Count < PoolLimit)
        {
            pool.Arrays[pool.Count++] = slots;
        }
    }

    /// <inheritdoc />
    public bool Equals(NatState? other) => other is not null && _slots.AsSpan().SequenceEqual(other._slots);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NatState);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var slot in _slots)
        {
            hash.Add(slot);
        }

        return hash.ToHashCode();
    }

    private sealed class SlotPool
    {
        public readonly Slot[][] Arrays = new Slot[PoolLimit][];
        public int Count;
    }
}
