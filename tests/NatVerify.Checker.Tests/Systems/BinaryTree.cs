using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// Bit strings of length at most K, each extended by "0" or "1": a complete binary tree with 2^(K+1)-1 states,
/// 2^(K+1)-2 transitions and 2^K terminal leaves, every leaf at depth K.
/// </summary>
public sealed class BinaryTree : ITransitionSystem<(int Bits, int Length), string>, IStateEncoder<(int Bits, int Length)>
{
    private readonly int _k;

    public BinaryTree(int k)
    {
        _k = k;
    }

    public IReadOnlyList<(int Bits, int Length)> InitialStates { get; } = [(0, 0)];

    public void Successors((int Bits, int Length) state, List<Transition<(int Bits, int Length), string>> sink)
    {
        if (state.Length < _k)
        {
            sink.Add(new("0", (state.Bits << 1, state.Length + 1)));
            sink.Add(new("1", ((state.Bits << 1) | 1, state.Length + 1)));
        }
    }

    public void Encode((int Bits, int Length) state, StateWriter writer)
    {
        writer.WriteInt32(state.Bits);
        writer.WriteInt32(state.Length);
    }
}
