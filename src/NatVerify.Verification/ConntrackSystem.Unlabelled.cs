using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>The search's expansion without step labels (<see cref="IUnlabelledSuccessors{TState, TAction}"/>).</summary>
public sealed partial class ConntrackSystem : IUnlabelledSuccessors<NatState, NatStep>
{
    /// <inheritdoc />
    public void UnlabelledSuccessors(NatState state, List<Transition<NatState, NatStep>> sink)
    {
        var buffer = _threadBuffer ??= [];
        buffer.Clear();
        Semantics.Successors(state, buffer, StepDetail.None);
        Append(buffer, sink, labels: false);
    }
}
