using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>An unbounded counter 0, 1, 2, ...: every run ends at a bound.</summary>
public sealed class InfiniteCounter : ITransitionSystem<long, string>, IStateEncoder<long>
{
    public IReadOnlyList<long> InitialStates { get; } = [0L];

    public void Successors(long state, List<Transition<long, string>> sink)
    {
        sink.Add(new("Inc", state + 1));
    }

    public void Encode(long state, StateWriter writer)
    {
        writer.WriteInt64(state);
    }
}
