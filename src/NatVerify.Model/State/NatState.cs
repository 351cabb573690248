namespace NatVerify.Model.State;

/// <summary>
/// The whole model state: one <see cref="Slot"/> per scenario actor, in scenario order. Immutable: steps
/// build new states. Fresh ports are kept canonically numbered (see <see cref="Semantics.Canonicalizer"/>).
/// </summary>
public sealed class NatState : IEquatable<NatState>
{
    private readonly Slot[] _slots;

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
    /// <remarks>A new array and a block copy: <c>Array.Clone</c> (<c>MemberwiseClone</c>) allocates through the runtime's
    /// slow path and was 5% of an unreduced search.</remarks>
    internal Slot[] CopySlots() => _slots.AsSpan().ToArray();

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
}
