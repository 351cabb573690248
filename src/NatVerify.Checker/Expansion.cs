namespace NatVerify.Checker;

/// <summary>
/// Per-thread scratch space for expanding one state: its successors, which of them partial-order reduction
/// keeps, and the encoder buffer. Reused for every state, so expanding allocates nothing of its own.
/// </summary>
internal sealed partial class Expansion<TState, TAction>
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

    /// <summary>
    /// Gets the packed forms of the kept successors, one after another, when breadth-first search fingerprints them with
    /// <see cref="IRunFingerprinter{TState}"/> while packing them: a successor that turns out new is queued from here, not packed again.
    /// </summary>
    public StateWriter Packed { get; } = new(256);

    /// <summary>Gets, per kept successor, where its packed form in <see cref="Packed"/> ends.</summary>
    public int[] PackedEnds { get; private set; } = new int[16];

    /// <summary>Returns the packed form of the <paramref name="j"/>-th kept successor (valid until <see cref="Packed"/> is next written).</summary>
    public ReadOnlySpan<byte> PackedSuccessor(int j)
    {
        int start = j == 0 ? 0 : PackedEnds[j - 1];
        return Packed.Written[start..PackedEnds[j]];
    }

    /// <summary>Returns the index into <see cref="Successors"/> of the <paramref name="j"/>-th kept successor.</summary>
    public int IndexOf(int j) => All ? j : Selected[j];

    /// <summary>Footprint-based reduction: per distinct process, the footprint of its enabled steps.</summary>
    public Footprint[] StepFootprints { get; private set; } = [];

    /// <summary>Footprint-based reduction: per process, its future footprint, valid when <see cref="FutureStamp"/> equals <see cref="Stamp"/>.</summary>
    public Footprint[] Futures { get; private set; } = [];

    /// <summary>Per process, the <see cref="Stamp"/> at which its future footprint was computed.</summary>
    public int[] FutureStamp { get; private set; } = [];

    /// <summary>Per process, the index into <see cref="Distinct"/> of its enabled steps, or -1 (valid for the current state).</summary>
    public int[] DistinctOf { get; private set; } = [];

    /// <summary>Per distinct process: 0 unknown, 1 usable (invisible, progress-making), 2 not usable.</summary>
    public byte[] Usable { get; private set; } = new byte[16];

    /// <summary>Per distinct process: in the stubborn set being grown.</summary>
    public bool[] Member { get; private set; } = new bool[16];

    /// <summary>Per distinct process: in the best stubborn set found.</summary>
    public bool[] Best { get; private set; } = new bool[16];

    /// <summary>The footprint of the stubborn set being grown.</summary>
    public Footprint Accumulated { get; } = new();

    /// <summary>Incremented for every state whose futures are computed.</summary>
    public int Stamp { get; set; }

    /// <summary>Sizes the per-process arrays of footprint-based reduction.</summary>
    public void EnsureProcesses(int processes, int distinct)
    {
        if (Futures.Length < processes)
        {
            var futures = new Footprint[processes];
            for (int i = 0; i < processes; i++)
            {
                futures[i] = i < Futures.Length ? Futures[i] : new Footprint();
            }

            Futures = futures;
            FutureStamp = new int[processes];
            DistinctOf = new int[processes];
            Stamp = 0;
        }

        if (StepFootprints.Length < distinct)
        {
            var steps = new Footprint[Math.Max(distinct, StepFootprints.Length * 2)];
            for (int i = 0; i < steps.Length; i++)
            {
                steps[i] = i < StepFootprints.Length ? StepFootprints[i] : new Footprint();
            }

            StepFootprints = steps;
        }

        if (Usable.Length < distinct)
        {
            int size = Math.Max(distinct, Usable.Length * 2);
            Usable = new byte[size];
            Member = new bool[size];
            Best = new bool[size];
        }
    }

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
            PackedEnds = new int[size];
        }
    }
}
