using System.Runtime.InteropServices;
using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>The adapter that lets the generic engine explore the NAT model: one state per model state, one action per atomic step.</summary>
public sealed partial class ConntrackSystem(NatSemantics semantics) : ISearchSuccessors<NatState, NatStep>
{
    // One scratch list per thread: the checker may expand states on two threads at once (CheckerOptions.Workers).
    [ThreadStatic]
    private static List<(NatStep Step, NatState Next)>? _threadBuffer;

    /// <summary>The semantics being explored.</summary>
    public NatSemantics Semantics => semantics;

    /// <inheritdoc />
    public IReadOnlyList<NatState> InitialStates { get; } = [semantics.Initial];

    /// <inheritdoc />
    public void Successors(NatState state, List<Transition<NatState, NatStep>> sink) => Successors(state, sink, diagnostics: true);

    /// <inheritdoc />
    public void SearchSuccessors(NatState state, List<Transition<NatState, NatStep>> sink) => Successors(state, sink, diagnostics: false);

    private void Successors(NatState state, List<Transition<NatState, NatStep>> sink, bool diagnostics)
    {
        var buffer = _threadBuffer ??= [];
        buffer.Clear();
        semantics.Successors(state, buffer, diagnostics);
        Append(buffer, sink, labels: true);
    }

    /// <summary>
    /// Appends the semantics' successors to the engine's list as one block (an <c>Add</c> per successor checks the
    /// capacity and bumps the version each time), with their steps or without, and empties the buffer, which would
    /// otherwise keep the last expansion's states alive.
    /// </summary>
    private static void Append(List<(NatStep Step, NatState Next)> buffer, List<Transition<NatState, NatStep>> sink, bool labels)
    {
        var start = sink.Count;
        CollectionsMarshal.SetCount(sink, start + buffer.Count);
        var from = CollectionsMarshal.AsSpan(buffer);
        var to = CollectionsMarshal.AsSpan(sink)[start..];
        for (var k = 0; k < from.Length; k++)
        {
            to[k] = new Transition<NatState, NatStep>(labels ? from[k].Step : default!, from[k].Next);
        }

        buffer.Clear();
    }
}
