using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// The transition relation one process at a time, for partial-order reduction that chooses its stubborn set before
/// building successors (the engine's <c>IProcessSuccessors</c>). Processes 0..Count-1 are the actors, Count + j the GC
/// worker collecting actor j's expired entry; <see cref="Successors(NatState, List{ValueTuple{NatStep, NatState}}, bool)"/>
/// is the concatenation of <see cref="ProcessSuccessors"/> over the processes in that order, and
/// <see cref="ProcessFootprint"/> is the union of <see cref="StepFootprint"/> over a process's enabled steps, computed
/// with the same footprint code from what decides those steps (the nat chains' verdicts, confirm's decision) without
/// building a successor (<c>ProcessSuccessorsTests</c> checks both on every reachable state of the shipped specs).
/// </summary>
public sealed partial class NatSemantics
{
    [ThreadStatic]
    private static List<(NatStep Step, NatState Next)>? _probeBuffer;

    /// <summary>The number of processes: every actor and, per actor, the GC worker collecting its expired entry.</summary>
    public int ProcessCount => 2 * Scenario.Actors.Count;

    /// <summary>Appends the enabled steps of <paramref name="process"/> and their successors, as <c>Successors</c> lists them.</summary>
    public void ProcessSuccessors(NatState state, int process, List<(NatStep Step, NatState Next)> sink, bool diagnostics)
    {
        var count = Scenario.Actors.Count;
        if (process >= count)
        {
            GcSuccessor(state, process - count, sink, labels: true);
        }
        else
        {
            var scratch = SuccessorScratch.Rent();
            ActorSuccessors(state, process, sink, diagnostics ? StepDetail.Full : StepDetail.Lean, scratch);
            SuccessorScratch.Return(scratch);
        }
    }

    /// <summary>Whether <paramref name="process"/> has an enabled step in <paramref name="state"/>.</summary>
    public bool HasSteps(NatState state, int process)
    {
        var count = Scenario.Actors.Count;
        if (process >= count)
        {
            return GcEnabled(state, process - count);
        }

        if (state[process].Terminal || !Enabled(state, process))
        {
            return false;
        }

        switch (Scenario.Actors[process])
        {
            case FlowActor:
                // Every phase before Confirmed has a step: nf_conntrack_in, a NAT hook, confirm or the retransmission.
                return true;
            case CtnetlinkInsert or CtnetlinkDelete:
                return true;
            default:
                // A timeout or close has a step only when its target is closable or finished: asked of the step itself.
                var buffer = _probeBuffer ??= [];
                buffer.Clear();
                var scratch = SuccessorScratch.Rent();
                ActorSuccessors(state, process, buffer, StepDetail.None, scratch);
                SuccessorScratch.Return(scratch);
                var any = buffer.Count > 0;
                buffer.Clear();
                return any;
        }
    }

    /// <summary>
    /// When what <see cref="ProcessFootprint"/> writes for <paramref name="process"/> is decided by its phase, its reply
    /// tuple and confirm's verdict alone (a flow before <c>nf_conntrack_in</c>, before confirm, or about to retransmit),
    /// returns true with those: equal keys of the same process give equal footprints, so a caller may keep one. Confirm's
    /// verdict (whether the entry leaves bysource) is decided here, from the whole state.
    /// </summary>
    public bool TryFootprintKey(NatState state, int process, out Phase phase, out ConntrackTuple reply, out bool leavesBySource)
    {
        phase = default;
        reply = default;
        leavesBySource = false;
        if (process >= Scenario.Actors.Count || Facts().Opaque || Scenario.Actors[process] is not FlowActor)
        {
            return false;
        }

        ref readonly var slot = ref state.Slots[process];
        phase = slot.Phase;
        switch (phase)
        {
            case Phase.NotStarted:
            case Phase.Retrying:
                return true;
            case Phase.SrcDone:
                reply = slot.Reply;
                leavesBySource = ConfirmDecision(state.Slots, process, null).Result is ConfirmResult.Dropped or ConfirmResult.Merged;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Writes what the enabled steps of <paramref name="process"/> read and write: the union of
    /// <see cref="StepFootprint"/> over them, from the decisions that tell those steps apart (the nat chains' verdicts,
    /// confirm's result) rather than from built successors.
    /// </summary>
    public void ProcessFootprint(NatState state, int process, IFootprintSink sink, bool ghostQuotient = false)
    {
        var facts = Facts();
        if (facts.Opaque || process >= Scenario.Actors.Count)
        {
            // Under opaque facts every step touches everything; the GC worker's step (GcStep) always does.
            Everything(sink);
            return;
        }

        var i = process;
        switch (Scenario.Actors[i])
        {
            case FlowActor flow:
                switch (state[i].Phase)
                {
                    case Phase.NotStarted:
                        ConntrackInFootprint(i, facts, sink);
                        break;
                    case Phase.Created:
                    case Phase.DstDone:
                        var hook = NatHookAt(flow, state[i].Phase);
                        var curr = state[i].Reply.Invert();
                        foreach (var verdict in EvaluateNat(NatPacket(state, i, flow, hook, diagnostics: false)))
                        {
                            // As DecisionSuccessors: a dropping verdict sets up no range.
                            var (nullBinding, range) = SetupOf(verdict, hook.Manip(), curr);
                            NatSetupFootprint(state, i, hook, verdict.Drop ? null : range, nullBinding, curr, facts, ghostQuotient, sink);
                        }

                        break;
                    case Phase.SrcDone:
                        ConfirmStepFootprint(state, i, ConfirmDecision(state.Slots, i, null).Result, sink);
                        break;
                    case Phase.Retrying:
                        RetransmitFootprint(i, sink);
                        break;
                }

                break;
            case CtnetlinkInsert:
                InsertFootprint(state, i, sink);
                break;
            default:
                Everything(sink);
                break;
        }
    }
}
