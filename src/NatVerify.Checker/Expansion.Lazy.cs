namespace NatVerify.Checker;

/// <summary>Scratch space of the lazy stubborn-set expansion (<see cref="IProcessSuccessors{TState, TAction}"/>).</summary>
internal sealed partial class Expansion<TState, TAction>
{
    /// <summary>Gets the successors built so far for the state being expanded, process by process (in build order).</summary>
    public List<Transition<TState, TAction>> Built { get; } = new(32);

    /// <summary>Gets, per distinct process (index into the processes with enabled steps, in id order), its process id.</summary>
    public int[] LazyProcess { get; private set; } = [];

    /// <summary>Gets, per distinct process, the number of its successors, or -1 while they are not built.</summary>
    public int[] LazyCount { get; private set; } = [];

    /// <summary>Gets, per distinct process, where its successors start in <see cref="Built"/>.</summary>
    public int[] LazyStart { get; private set; } = [];

    /// <summary>Gets the conflict graph of the state: [d * processes + q] is 0 unknown, 1 when distinct process d's enabled steps conflict with process q's future, 2 when not.</summary>
    public byte[] Edges { get; private set; } = [];

    /// <summary>Gets the work list of the closure search (distinct processes).</summary>
    public int[] Work { get; private set; } = [];

    /// <summary>Gets, per distinct process, the <see cref="Stamp"/> at which its entry of <see cref="StepFootprints"/> was computed (computed only when the closure search reaches it).</summary>
    public int[] StepStamp { get; private set; } = [];

    /// <summary>Sizes the per-process arrays of the lazy expansion.</summary>
    public void EnsureLazy(int processes)
    {
        if (LazyProcess.Length < processes)
        {
            LazyProcess = new int[processes];
            LazyCount = new int[processes];
            LazyStart = new int[processes];
            Edges = new byte[processes * processes];
            Work = new int[processes];
            StepStamp = new int[processes];
        }
    }
}
