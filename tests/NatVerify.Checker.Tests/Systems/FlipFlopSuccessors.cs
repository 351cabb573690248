using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>A broken model whose successor order of 0 alternates between calls ([1, 2], then [2, 1], ...).</summary>
public sealed class FlipFlopSuccessors : ITransitionSystem<int, string>, IStateEncoder<int>
{
    private int _calls;

    public IReadOnlyList<int> InitialStates { get; } = [0];

    public void Successors(int state, List<Transition<int, string>> sink)
    {
        if (state != 0)
        {
            return;
        }

        bool flipped = _calls++ % 2 == 1;
        sink.Add(new("A", flipped ? 2 : 1));
        sink.Add(new("B", flipped ? 1 : 2));
    }

    public void Encode(int state, StateWriter writer)
    {
        writer.WriteInt32(state);
    }
}
