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
        foreach (var (step, next) in buffer)
        {
            sink.Add(new Transition<NatState, NatStep>(step, next));
        }
    }
}
