using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>
/// What the NAT model offers partial-order reduction (<see cref="CheckerOptions.PartialOrderReduction"/>): each step's
/// read and write footprint and each process's future footprint, as the model's step definitions give them
/// (<see cref="NatSemantics.StepFootprint"/>, <see cref="NatSemantics.FutureFootprint"/>); the engine computes the
/// stubborn sets. Visible steps are those that may repair a violated property (<see cref="NatSemantics.MayRepair"/>).
/// </summary>
/// <remarks>
/// <para>
/// Processes: actor i is process i; the GC worker collecting actor j's expired entry is process Count + j. A model
/// <see cref="Location"/> becomes an engine <see cref="Region"/> with key (kind, protocol) and the four intervals
/// source address, destination address, source port, destination port (a slot: key (kind, actor), see <see cref="ToRegion"/>).
/// </para>
/// <para>
/// Progress is the sum of phase ranks plus the expired/removed bits, with a retransmission's attempt count outweighing
/// every phase: every step increases it, so the state graph has no cycle and the cycle proviso never refuses a set.
/// </para>
/// </remarks>
public sealed partial class ConntrackSystem : IStepFootprints<NatState, NatStep>
{
    // One adapter per thread: the engine may compute footprints on two threads at once (CheckerOptions.Workers).
    [ThreadStatic]
    private static Sink? _threadSink;

    /// <summary>
    /// Gets whether the engine identifies states by <see cref="NatSemantics.ObservableGhosts"/> (an encoder built with
    /// <see cref="NatStateEncoder(NatSemantics)"/>), so the footprints may leave out bookkeeping that is not observed.
    /// </summary>
    public bool GhostQuotient { get; init; }

    /// <inheritdoc />
    public int ProcessCount => 2 * Semantics.Scenario.Actors.Count;

    /// <inheritdoc />
    public int ProcessOf(NatStep action) => action is GcStep gc ? Semantics.Scenario.Actors.Count + gc.Target : action.Actor;

    /// <inheritdoc />
    public void StepFootprint(NatState state, NatStep action, Footprint footprint) =>
        Semantics.StepFootprint(state, action, SinkFor(footprint), GhostQuotient);

    /// <inheritdoc />
    public void FutureFootprint(NatState state, int process, Footprint footprint) =>
        Semantics.FutureFootprint(state, process, SinkFor(footprint), GhostQuotient);

    /// <inheritdoc />
    public bool IsVisible(NatState state, NatStep action) => Semantics.MayRepair(action);

    /// <inheritdoc />
    public long Progress(NatState state)
    {
        long progress = 0;
        foreach (var slot in state.Slots)
        {
            // A retransmission sends a flow back to NotStarted; its attempt count outweighs every phase of every slot.
            progress += (long)slot.Attempt * 4096;
            progress += (long)slot.Phase * 4;
            progress += slot.Has(CtStatus.Expired) ? 1 : 0;
            progress += slot.Has(CtStatus.Removed) ? 1 : 0;
        }

        return progress;
    }

    /// <summary>The engine region of a model location.</summary>
    /// <remarks>
    /// A slot is always one actor's (dimension 0 a point), so the actor goes into the key instead: two slot regions still
    /// overlap exactly when their actors are equal, and the footprints' key masks then tell different actors' slots apart
    /// without comparing regions (<see cref="Footprint.ConflictsWith"/>).
    /// </remarks>
    public static Region ToRegion(in Location location)
    {
        if (location.Kind == LocationKind.Everything)
        {
            return Region.Everything;
        }

        long key = ((long)location.Kind << 16) | (uint)location.Protocol;
        if (location.Kind == LocationKind.Slot)
        {
            if (location.SrcIpLo != location.SrcIpHi)
            {
                // Not one actor's: the per-actor keys above would miss its overlaps.
                throw new InvalidOperationException($"A slot location spans actors {location.SrcIpLo}..{location.SrcIpHi}.");
            }

            return new Region(key | ((location.SrcIpLo + 1) << 32));
        }

        return new Region(
            key,
            location.SrcIpLo, location.SrcIpHi, location.DstIpLo, location.DstIpHi,
            location.SrcPortLo, location.SrcPortHi, location.DstPortLo, location.DstPortHi);
    }

    private static Sink SinkFor(Footprint footprint)
    {
        var sink = _threadSink ??= new Sink();
        sink.Target = footprint;
        return sink;
    }

    private sealed class Sink : IFootprintSink
    {
        public Footprint Target { get; set; } = null!;

        public void Read(in Location location) => Target.Read(ToRegion(location));

        public void Write(in Location location) => Target.Write(ToRegion(location));
    }
}
