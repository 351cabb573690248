using NatVerify.Checker;

namespace NatVerify.Testing.Toys;

/// <summary>
/// <paramref name="Count"/> threads of <paramref name="Length"/> steps each, interleaved freely; an action is the
/// thread that steps. The ordering bug of depth 2: thread 1 finishes while thread 0 has taken exactly one step
/// (thread 0 must be preempted right after its first step and thread 1 must then run to its end).
/// </summary>
public sealed record Threads(int Count, int Length) : ITransitionSystem<int[], int>, IStateEncoder<int[]>
{
    /// <inheritdoc />
    public IReadOnlyList<int[]> InitialStates => [new int[Count]];

    /// <summary>The invariant the ordering bug breaks.</summary>
    public Invariant<int[]> NoOrderingBug => new(
        "no-ordering-bug", "thread 1 never finishes while thread 0 is at its first step", s => s[0] == 1 && s[1] == Length ? "ordering bug" : null);

    /// <inheritdoc />
    public void Successors(int[] state, List<Transition<int[], int>> sink)
    {
        for (var t = 0; t < Count; t++)
        {
            if (state[t] < Length)
            {
                var next = (int[])state.Clone();
                next[t]++;
                sink.Add(new Transition<int[], int>(t, next));
            }
        }
    }

    /// <inheritdoc />
    public void Encode(int[] state, StateWriter writer)
    {
        foreach (var pc in state)
        {
            writer.WriteInt32(pc);
        }
    }
}
