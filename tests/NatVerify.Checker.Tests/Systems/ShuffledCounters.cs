using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// Processes that each count their own counter from 0 up to a limit: every step is independent of every other
/// process's step (footprint: its own counter), and all states of the product are reachable. The order in which a
/// state lists its successors is a permutation chosen per state by a hash of the state and a seed, so the
/// exploration order of sleep sets differs between states (and so do the sleep sets a state is reached with).
/// Actions are 2p (count by one) and 2p + 1 (count by two, with jumps) for process p.
/// </summary>
public sealed class ShuffledCounters(int processes, int limit, int seed, bool jumps = false)
    : ITransitionSystem<int[], int>, IStateEncoder<int[]>, IStepFootprints<int[], int>
{
    public IReadOnlyList<int[]> InitialStates { get; } = [new int[processes]];

    public int ProcessCount => processes;

    /// <summary>The number of reachable states: (limit + 1) ^ processes.</summary>
    public int ReachableStates => (int)Math.Pow(limit + 1, processes);

    /// <summary>An invariant violated only in the given state.</summary>
    public Invariant<int[]> Not(int[] bad) =>
        new("not-" + string.Join("", bad), "the counters never reach " + string.Join(",", bad), s => s.SequenceEqual(bad) ? "reached" : null);

    public void Successors(int[] state, List<Transition<int[], int>> sink)
    {
        int[] order = Enumerable.Range(0, processes).ToArray();
        var random = new System.Random((seed * 7919) + Key(state));
        random.Shuffle(order);
        foreach (int p in order)
        {
            if (state[p] < limit)
            {
                int[] next = (int[])state.Clone();
                next[p]++;
                sink.Add(new Transition<int[], int>(2 * p, next));
            }

            // A second step of the same process that counts by two: states are then reached by paths of different
            // lengths, so breadth-first search meets states again after expanding them.
            if (jumps && state[p] + 2 <= limit)
            {
                int[] next = (int[])state.Clone();
                next[p] += 2;
                sink.Add(new Transition<int[], int>((2 * p) + 1, next));
            }
        }
    }

    public void Encode(int[] state, StateWriter writer)
    {
        foreach (int c in state)
        {
            writer.WriteInt32(c);
        }
    }

    public int ProcessOf(int action) => action / 2;

    public void StepFootprint(int[] state, int action, Footprint footprint) => footprint.ReadWrite(new Region(action / 2));

    public void FutureFootprint(int[] state, int process, Footprint footprint)
    {
        if (state[process] < limit)
        {
            footprint.ReadWrite(new Region(process));
        }
    }

    public bool IsVisible(int[] state, int action) => false;

    public long Progress(int[] state) => state.Sum();

    public override string ToString() => $"{processes} counters to {limit}{(jumps ? " with jumps" : string.Empty)}, order seed {seed}";

    private static int Key(int[] state) => state.Aggregate(17, (h, c) => (h * 31) + c);
}
