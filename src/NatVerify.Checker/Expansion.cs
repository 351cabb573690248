namespace NatVerify.Checker;

/// <summary>
/// Per-thread scratch space for expanding one state: its successors, which of them partial-order reduction
/// keeps, and the encoder buffer. Reused for every state, so expanding allocates nothing of its own.
/// </summary>
internal sealed class Expansion<TState, TAction>
{
    public List<Transition<TState, TAction>> Successors { get; } = new(32);

    public StateWriter Writer { get; } = new();

    /// <summary>Gets or sets whether every successor is kept (no reduction); then <see cref="Selected"/> is unused.</summary>
    public bool All { get; set; } = true;

    /// <summary>Gets or sets the number of kept successors.</summary>
    public int SelectedCount { get; set; }

    /// <summary>Gets the indices (into <see cref="Successors"/>) of the kept successors when <see cref="All"/> is false.</summary>
    public int[] Selected { get; private set; } = new int[16];

    /// <summary>Gets the process of each successor (filled by the reduction).</summary>
    public int[] Processes { get; private set; } = new int[16];

    /// <summary>Gets the distinct processes with enabled steps, in order of first appearance.</summary>
    public int[] Distinct { get; private set; } = new int[16];

    /// <summary>Gets the number of enabled steps of each distinct process.</summary>
    public int[] DistinctCounts { get; private set; } = new int[16];

    /// <summary>Gets the fingerprints of the kept successors (filled by breadth-first search before storing them).</summary>
    public ulong[] Fingerprints { get; private set; } = new ulong[16];

    /// <summary>Returns the index into <see cref="Successors"/> of the <paramref name="j"/>-th kept successor.</summary>
    public int IndexOf(int j) => All ? j : Selected[j];

    public void EnsureCapacity(int count)
    {
        if (Selected.Length < count)
        {
            int size = Math.Max(count, Selected.Length * 2);
            Selected = new int[size];
            Processes = new int[size];
            Distinct = new int[size];
            DistinctCounts = new int[size];
            Fingerprints = new ulong[size];
        }
    }
}
