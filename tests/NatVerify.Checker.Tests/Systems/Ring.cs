using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// A counter modulo N starting at 0 with "Inc" listed before "Dec": N states, 2N transitions, no terminal states.
/// BFS reaches N-1 in one Dec step; DFS dives along Inc and reaches it after N-1 steps.
/// </summary>
public sealed class Ring : ITransitionSystem<int, string>, IStateEncoder<int>
{
    private readonly int _n;

    public Ring(int n)
    {
        _n = n;
    }

    public IReadOnlyList<int> InitialStates { get; } = [0];

    public void Successors(int state, List<Transition<int, string>> sink)
    {
        sink.Add(new("Inc", (state + 1) % _n));
        sink.Add(new("Dec", (state + _n - 1) % _n));
    }

    public void Encode(int state, StateWriter writer)
    {
        writer.WriteInt32(state);
    }
}
