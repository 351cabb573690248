using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// Two independent counters a, b in 0..N, each incremented by its own action while below N.
/// Closed forms: (N+1)^2 states, 2N(N+1) transitions (each counter below N contributes one edge
/// for each of the N+1 values of the other), one terminal state (N, N), maximum BFS depth 2N.
/// </summary>
public sealed class TwoCounters : ITransitionSystem<(int A, int B), string>, IStateEncoder<(int A, int B)>
{
    private readonly int _n;

    public TwoCounters(int n)
    {
        _n = n;
    }

    public IReadOnlyList<(int A, int B)> InitialStates { get; } = [(0, 0)];

    public static long StateCount(int n) => (long)(n + 1) * (n + 1);

    public static long TransitionCount(int n) => 2L * n * (n + 1);

    public void Successors((int A, int B) state, List<Transition<(int A, int B), string>> sink)
    {
        if (state.A < _n)
        {
            sink.Add(new("IncA", (state.A + 1, state.B)));
        }

        if (state.B < _n)
        {
            sink.Add(new("IncB", (state.A, state.B + 1)));
        }
    }

    public void Encode((int A, int B) state, StateWriter writer)
    {
        writer.WriteInt32(state.A);
        writer.WriteInt32(state.B);
    }
}
