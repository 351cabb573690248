using System.Runtime.InteropServices;
using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>The search's expansion without step labels (<see cref="IUnlabelledSuccessors{TState, TAction}"/>).</summary>
public sealed partial class ConntrackSystem : IUnlabelledSuccessors<NatState, NatStep>
{
    // Per thread, like the labelled expansion's buffer (the checker expands on several threads at once).
    [ThreadStatic]
    private static List<(NatStep Step, NatState Next)>? _unlabelledBuffer;

    /// <inheritdoc />
    public void UnlabelledSuccessors(NatState state, List<Transition<NatState, NatStep>> sink)
    {
        var buffer = _unlabelledBuffer ??= [];
        buffer.Clear();
        Semantics.Successors(state, buffer, StepDetail.None);

        // One block of the sink filled in place: Add per successor checks the capacity and bumps the version each time.
        var start = sink.Count;
        CollectionsMarshal.SetCount(sink, start + buffer.Count);
        var from = CollectionsMarshal.AsSpan(buffer);
        var to = CollectionsMarshal.AsSpan(sink)[start..];
        for (var k = 0; k < from.Length; k++)
        {
            to[k] = new Transition<NatState, NatStep>(default!, from[k].Next);
        }

        // The buffer outlives the call: without this it would keep the last expansion's states alive.
        buffer.Clear();
    }
}
