using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// P processes, each counting from 0 to M on its own: (M+1)^P states, one terminal state (M, ..., M). All steps of
/// different processes commute, so a persistent-set search may follow a single interleaving: P·M + 1 states.
/// A state is packed as base-(M+1) digits; process i's digit is the i-th. Steps that make a counter reach
/// <see cref="VisibleValue"/> are declared visible (the invariant below reads it); with <c>cyclic</c>, each
/// counter wraps from M back to 0 and the progress measure stays 0, so no reduction may be used at all.
/// </summary>
public sealed class IndependentCounters(int processes, int max, bool cyclic = false, int visibleValue = -1)
    : ITransitionSystem<long, (int Process, int To)>, ICompactStateEncoder<long>, IIndependence<long, (int Process, int To)>
{
    public int VisibleValue => visibleValue;

    public IReadOnlyList<long> InitialStates { get; } = [0L];

    public int ProcessCount => processes;

    public static long Pow(int b, int e) => e == 0 ? 1 : b * Pow(b, e - 1);

    public int Digit(long state, int process) => (int)(state / Pow(max + 1, process) % (max + 1));

    public void Successors(long state, List<Transition<long, (int Process, int To)>> sink)
    {
        for (int p = 0; p < processes; p++)
        {
            int d = Digit(state, p);
            if (d < max)
            {
                sink.Add(new((p, d + 1), state + Pow(max + 1, p)));
            }
            else if (cyclic)
            {
                sink.Add(new((p, 0), state - (d * Pow(max + 1, p))));
            }
        }
    }

    public void Encode(long state, StateWriter writer) => writer.WriteInt64(state);

    public ulong EncodeCompact(long state) => (ulong)state;

    public int ProcessOf((int Process, int To) action) => action.Process;

    public bool IsVisible(long state, (int Process, int To) action) => action.To == visibleValue;

    public bool CommutesWithFutureOf(long state, int process, int other) => true;

    public long Progress(long state)
    {
        if (cyclic)
        {
            return 0;
        }

        long sum = 0;
        for (int p = 0; p < processes; p++)
        {
            sum += Digit(state, p);
        }

        return sum;
    }
}
