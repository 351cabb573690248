using NatVerify.Checker;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

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

    // Each thread's last footprint per process of those keyed by NatSemantics.TryFootprintKey, tagged with the system
    // that computed them (by number, so that a finished check is not kept alive).
    [ThreadStatic]
    private static KeyedFootprints? _threadKeyed;

    private static long _systemIds;

    private readonly long _systemId = Interlocked.Increment(ref _systemIds);

    /// <inheritdoc />
    /// <remarks>
    /// Confirm's footprint, the commonest, is the same whenever the flow's reply tuple and confirm's verdict are: it is
    /// then copied from the last one computed instead of being written region by region.
    /// </remarks>
    public void EnabledFootprint(NatState state, int process, Footprint footprint)
    {
        if (!Semantics.TryFootprintKey(state, process, out var phase, out var reply, out var leaves))
        {
            Semantics.ProcessFootprint(state, process, SinkFor(footprint), GhostQuotient);
            return;
        }

        var keyed = _threadKeyed;
        if (keyed is null || keyed.Owner != _systemId || keyed.Footprints.Length < ProcessCount)
        {
            keyed = _threadKeyed = new KeyedFootprints(_systemId, ProcessCount);
        }

        var kept = keyed.Footprints[process];
        if (!keyed.Valid[process] || keyed.Phases[process] != phase || keyed.Leaves[process] != leaves || keyed.Replies[process] != reply)
        {
            kept.Clear();
            Semantics.ProcessFootprint(state, process, SinkFor(kept), GhostQuotient);
            keyed.Valid[process] = true;
            keyed.Phases[process] = phase;
            keyed.Replies[process] = reply;
            keyed.Leaves[process] = leaves;
        }

        footprint.Add(kept);
    }

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

    private sealed class KeyedFootprints
    {
        public KeyedFootprints(long owner, int processes)
        {
            Owner = owner;
            Footprints = new Footprint[processes];
            for (var i = 0; i < processes; i++)
            {
                Footprints[i] = new Footprint();
            }

            Valid = new bool[processes];
            Phases = new Phase[processes];
            Replies = new ConntrackTuple[processes];
            Leaves = new bool[processes];
        }

        public long Owner { get; }

        public Footprint[] Footprints { get; }

        public bool[] Valid { get; }

        public Phase[] Phases { get; }

        public ConntrackTuple[] Replies { get; }

        public bool[] Leaves { get; }
    }
}
