using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Properties;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// Replays a BMC witness on the explicit engine (<see cref="NatSemantics"/>) for the witness's concrete scenario:
/// at each step, among the successors of the scheduled actor, the one whose whole state equals the witness's next
/// state (fresh ports matched to the solver's concrete port numbers by a consistent renaming) is taken. It then
/// checks the goal: the property fails (<see cref="PropertyCatalog"/>), or the state is terminal with the joint
/// outcome claimed. Anything else means the encoding and the explicit semantics disagree.
/// </summary>
public static class WitnessReplayer
{
    private const CtStatus Tracked = CtStatus.SrcNat | CtStatus.DstNat | CtStatus.SrcNatDone | CtStatus.DstNatDone | CtStatus.NatClash
        | CtStatus.SrcNullBinding | CtStatus.DstNullBinding | CtStatus.RuleApplied | CtStatus.SrcProbeFree | CtStatus.SrcFixedPort
        | CtStatus.SrcSearchFailed | CtStatus.ClashOnReply | CtStatus.Removed | CtStatus.TcpTimeWait | CtStatus.TcpClose
        | CtStatus.EvictedBySnat | CtStatus.DroppedByTarget;

    /// <summary>Replays the witness and checks that <paramref name="property"/> fails in its last state.</summary>
    public static ReplayResult ReplayViolation(BmcWitness witness, KernelProfile profile, KernelMutant mutant, string property)
    {
        var (semantics, trace, error) = Walk(witness, profile, mutant);
        if (error is not null)
        {
            return new ReplayResult(false, error, semantics, trace);
        }

        var message = new PropertyCatalog(semantics).Check(property, trace.Final);
        return message is null
            ? new ReplayResult(false, $"the explicit engine reached the witness's last state, but {property} holds there", semantics, trace)
            : new ReplayResult(true, message, semantics, trace);
    }

    /// <summary>Replays the witness and checks that its last state is terminal with exactly these outcomes.</summary>
    public static ReplayResult ReplayOutcome(BmcWitness witness, KernelProfile profile, KernelMutant mutant, IReadOnlyList<Outcome> outcomes)
    {
        var (semantics, trace, error) = Walk(witness, profile, mutant);
        if (error is not null)
        {
            return new ReplayResult(false, error, semantics, trace);
        }

        var final = trace.Final;
        var successors = new List<(NatStep, NatState)>();
        semantics.Successors(final, successors);
        if (successors.Count > 0)
        {
            return new ReplayResult(false, $"the witness's last state is not terminal in the explicit engine ({successors[0].Item1.KernelFunction} of actor {successors[0].Item1.Actor} is enabled)", semantics, trace);
        }

        for (var i = 0; i < outcomes.Count; i++)
        {
            var actual = semantics.OutcomeOf(final, i);
            if (actual != outcomes[i])
            {
                return new ReplayResult(false, $"{semantics.Scenario.Actors[i].Name}: the explicit engine gives outcome {actual}, the witness claims {outcomes[i]}", semantics, trace);
            }
        }

        return new ReplayResult(true, string.Join(", ", outcomes.Select((o, i) => $"{semantics.Scenario.Actors[i].Name}: {o}")), semantics, trace);
    }

    private static (NatSemantics, Trace<NatState, NatStep>, string?) Walk(BmcWitness witness, KernelProfile profile, KernelMutant mutant)
    {
        var semantics = new NatSemantics(witness.Scenario, profile, mutant);
        var state = semantics.Initial;
        var steps = new List<Transition<NatState, NatStep>>();
        Trace<NatState, NatStep> Trace() => new(semantics.Initial, steps.ToList());
        var mismatch = Align(semantics, state, witness.States[0]);
        if (mismatch is not null)
        {
            return (semantics, Trace(), $"initial state differs: {mismatch}");
        }

        var successors = new List<(NatStep Step, NatState Next)>();
        for (var k = 0; k < witness.Steps.Count; k++)
        {
            var ws = witness.Steps[k];
            successors.Clear();
            semantics.Successors(state, successors);
            var mine = successors.Where(s => s.Step.Actor == ws.Actor).ToList();
            if (mine.Count == 0)
            {
                return (semantics, Trace(), $"step {k + 1}: {ws.ActorName} {ws.Kind} is not enabled in the explicit engine");
            }

            var reasons = new List<string>();
            (NatStep Step, NatState Next)? match = null;
            foreach (var s in mine)
            {
                var why = Align(semantics, s.Next, witness.States[k + 1]);
                if (why is null)
                {
                    match = s;
                    break;
                }

                reasons.Add($"{s.Step.KernelFunction}: {why}");
            }

            if (match is not { } m)
            {
                return (semantics, Trace(), $"step {k + 1}: no successor of {ws.ActorName} {ws.Kind} matches the witness ({string.Join("; ", reasons)})");
            }

            steps.Add(new Transition<NatState, NatStep>(m.Step, m.Next));
            state = m.Next;
        }

        return (semantics, Trace(), null);
    }

    /// <summary>Null when the explicit state equals the witness state up to a renaming of fresh ports; else the first difference.</summary>
    internal static string? Align(NatSemantics semantics, NatState state, IReadOnlyList<WitnessSlot> witness)
    {
        var freshToValue = new Dictionary<int, int>();
        var valueToFresh = new Dictionary<int, int>();
        var concrete = new HashSet<int>(semantics.Ports.Concrete);
        for (var i = 0; i < state.Count; i++)
        {
            var e = state[i];
            var w = witness[i];
            var name = semantics.Scenario.Actors[i].Name;
            if (e.Phase != w.Phase)
            {
                return $"{name}: phase {e.Phase} vs {w.Phase}";
            }

            if (!Same(e.Reply, w.Reply) || !Same(e.PreSrc, w.PreSrc))
            {
                return $"{name}: tuples {e.Reply}/{e.PreSrc} vs {w.Reply}/{w.PreSrc}";
            }

            if (e.Partner != w.Partner)
            {
                return $"{name}: partner {e.Partner} vs {w.Partner}";
            }

            if ((e.Status & Tracked) != (w.Status & Tracked))
            {
                return $"{name}: status {e.Status & Tracked} vs {w.Status & Tracked}";
            }

            if (e.Attempt != w.Attempt)
            {
                return $"{name}: attempt {e.Attempt} vs {w.Attempt}";
            }

            if (e.Mark != w.Mark || e.CtMark != w.CtMark)
            {
                return $"{name}: marks 0x{e.Mark:x}/0x{e.CtMark:x} vs 0x{w.Mark:x}/0x{w.CtMark:x}";
            }

            if (e.DecidedBy != w.DecidedBy)
            {
                return $"{name}: deciding rule {e.DecidedBy} vs {w.DecidedBy}";
            }

            if (e.LinkedAtSrcProbe != w.LinkedAtSrcProbe)
            {
                return $"{name}: linked at SRC probe {e.LinkedAtSrcProbe:x} vs {w.LinkedAtSrcProbe:x}";
            }

            for (var j = 0; j < state.Count; j++)
            {
                if ((e.BySourceOrder == 0) != (witness[i].BySource == 0)
                    || Math.Sign(e.BySourceOrder - state[j].BySourceOrder) != Math.Sign(witness[i].BySource - witness[j].BySource))
                {
                    return $"{name}: bysource order differs";
                }
            }
        }

        return null;

        bool Same(ConntrackTuple e, ConntrackTuple w) =>
            e.Protocol == w.Protocol && e.SrcIp == w.SrcIp && e.DstIp == w.DstIp && SamePort(e.SrcPort, w.SrcPort.Raw) && SamePort(e.DstPort, w.DstPort.Raw);

        bool SamePort(Port e, int value)
        {
            if (!e.IsFresh)
            {
                return e.Raw == value;
            }

            // A fresh port stands for any unnamed port of its atom; the renaming must be one-to-one.
            var atom = semantics.Ports.Atoms[e.Atom];
            if (value < atom.Lo || value > atom.Hi || concrete.Contains(value))
            {
                return false;
            }

            if (freshToValue.TryGetValue(e.Raw, out var v))
            {
                return v == value;
            }

            if (valueToFresh.TryGetValue(value, out var f))
            {
                return f == e.Raw;
            }

            freshToValue[e.Raw] = value;
            valueToFresh[value] = e.Raw;
            return true;
        }
    }
}
