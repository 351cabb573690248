using NatVerify.Checker;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>
/// The NAT model one process at a time (<see cref="IProcessSuccessors{TState, TAction}"/>), so that partial-order
/// reduction builds only the successors of the stubborn set it chooses: the per-process successors, enabledness and
/// footprints are the semantics' own (<see cref="Model.Semantics.NatSemantics.ProcessSuccessors"/>,
/// <see cref="Model.Semantics.NatSemantics.HasSteps"/>, <see cref="Model.Semantics.NatSemantics.ProcessFootprint"/>),
/// with processes numbered as <see cref="ProcessOf"/> numbers them (actors, then the GC worker of each entry).
/// </summary>
public sealed partial class ConntrackSystem : IProcessSuccessors<NatState, NatStep>, IStableFutures<NatState>
{
    /// <inheritdoc />
    public bool SameFuture(NatState previous, NatState state, int process) => Semantics.SameFuture(previous, state, process);

    /// <inheritdoc />
    public bool HasEnabledSteps(NatState state, int process) => Semantics.HasSteps(state, process);

    /// <inheritdoc />
    public void EnabledFootprint(NatState state, int process, Footprint footprint) =>
        Semantics.ProcessFootprint(state, process, SinkFor(footprint), GhostQuotient);

    /// <inheritdoc />
    public void ProcessSuccessors(NatState state, int process, List<Transition<NatState, NatStep>> sink)
    {
        var buffer = _threadBuffer ??= [];
        buffer.Clear();
        Semantics.ProcessSuccessors(state, process, buffer, diagnostics: false);
        foreach (var (step, next) in buffer)
        {
            sink.Add(new Transition<NatState, NatStep>(step, next));
        }
    }
}
