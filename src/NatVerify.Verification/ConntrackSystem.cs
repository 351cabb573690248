using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>The adapter that lets the generic engine explore the NAT model: one state per model state, one action per atomic step.</summary>
public sealed class ConntrackSystem(NatSemantics semantics) : ITransitionSystem<NatState, NatStep>
{
    private readonly List<(NatStep Step, NatState Next)> _buffer = [];

    /// <summary>The semantics being explored.</summary>
    public NatSemantics Semantics => semantics;

    /// <inheritdoc />
    public IReadOnlyList<NatState> InitialStates { get; } = [semantics.Initial];

    /// <inheritdoc />
    public void Successors(NatState state, List<Transition<NatState, NatStep>> sink)
    {
        _buffer.Clear();
        semantics.Successors(state, _buffer);
        foreach (var (step, next) in _buffer)
        {
            sink.Add(new Transition<NatState, NatStep>(step, next));
        }
    }
}
