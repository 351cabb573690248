using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// Several initial states x, each counting up while x % 10 &lt; 4. With initial states {0, 10, 20} the space is
/// 3 runs of 5 states (15), 4 transitions per run (12), and 3 terminal states (4, 14, 24).
/// </summary>
public sealed class ShortRuns : ITransitionSystem<int, string>, IStateEncoder<int>
{
    public ShortRuns(params int[] initialStates)
    {
        InitialStates = initialStates;
    }

    public IReadOnlyList<int> InitialStates { get; }

    public void Successors(int state, List<Transition<int, string>> sink)
    {
        if (state % 10 < 4)
        {
            sink.Add(new("Step", state + 1));
        }
    }

    public void Encode(int state, StateWriter writer)
    {
        writer.WriteInt32(state);
    }
}
