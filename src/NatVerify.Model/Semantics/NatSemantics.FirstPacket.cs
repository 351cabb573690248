using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>How a run of rules over a flow's first packet ended (see <see cref="FirstPacketRules"/>).</summary>
public enum RulesEnd
{
    /// <summary>The packet goes on to the next kernel stage (for the nat chains: no manip set, the null binding follows).</summary>
    Go,

    /// <summary>NF_DROP by a DROP/REJECT rule, a DROP policy or a nat chain's DROP: <c>Phase.Filtered</c>.</summary>
    Filtered,

    /// <summary>The packet carries the untracked template (or conntrack is not active): <c>Phase.Untracked</c>.</summary>
    Untracked,

    /// <summary>The packet reaches <c>nf_conntrack_in</c> with a conntrack to look up or create.</summary>
    Tracked,

    /// <summary>A NAT target set up the manip with <see cref="RulesResult.Range"/>.</summary>
    Nat,

    /// <summary>A MASQUERADE/REDIRECT target returned NF_DROP (no address): <c>Phase.Dropped</c>, DroppedByTarget.</summary>
    TargetDrop,
}

/// <summary>One end of a run of rules.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Mark">The packet mark afterwards.</param>
/// <param name="CtMark">The entry's mark afterwards.</param>
/// <param name="Decider">Index of the deciding rule or policy in <see cref="NatSemantics.Decider"/>; -1 when none.</param>
/// <param name="Rule">The NAT rule for <see cref="RulesEnd.Nat"/>.</param>
/// <param name="Range">The range for <see cref="RulesEnd.Nat"/>.</param>
/// <param name="ToNat">For <see cref="RulesEnd.Go"/> after <c>nf_conntrack_in</c>: the NAT core runs next (else confirm).</param>
public readonly record struct RulesResult(RulesEnd Kind, uint Mark, uint CtMark, int Decider, NatRule? Rule = null, NatRange? Range = null, bool ToNat = false);

/// <summary>
/// The rule evaluations of a flow's first packet, one per step of the flow, as pure functions of the packet's tuple and
/// marks: exactly the calls of the pipeline walk (<c>Pipeline</c>, <c>RunStages</c>,
/// <c>EvaluateNat</c>) that <c>ConntrackInSuccessors</c>, <c>ConntrackInStep</c>, <c>InvalidSuccessors</c>,
/// <c>NatSuccessors</c> and <c>DecisionSuccessors</c> make, with the same arguments. The BMC encoding evaluates them on
/// one concrete packet per class of packets the rules cannot tell apart, so both interpreters share one rule semantics.
/// </summary>
public sealed class FirstPacketRules
{
    private readonly NatSemantics _semantics;

    internal FirstPacketRules(NatSemantics semantics) => _semantics = semantics;

    /// <summary>
    /// The chains before <c>nf_conntrack_in</c> (and, for an untracked packet, every chain after it):
    /// <see cref="RulesEnd.Filtered"/>, <see cref="RulesEnd.Untracked"/> or <see cref="RulesEnd.Tracked"/> with the mark.
    /// </summary>
    public IReadOnlyList<RulesResult> BeforeConntrack(FlowActor flow, ConntrackTuple orig)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var s = _semantics;
        var stages = s.Pipeline(flow.Path);
        var ct = Array.FindIndex(stages, st => st.Kind == NatSemantics.StageKind.Conntrack);
        var start = new NatSemantics.Pkt(orig, flow, stages.Length > 0 ? stages[0].Hook : NatSemantics.HooksOf(flow.Path)[0], flow.Mark, 0, NatSemantics.CtView.None);
        var results = new List<RulesResult>();
        foreach (var (before, _) in s.RunStages(stages, 0, start, throughKernel: ct < 0))
        {
            if (before.Drop)
            {
                Add(results, new RulesResult(RulesEnd.Filtered, 0, 0, before.Decider));
            }
            else if (ct < 0 || before.Notrack)
            {
                var after = ct < 0 ? new NatSemantics.StageEnds((before, stages.Length))
                    : s.RunStages(stages, ct, start with { Mark = before.Mark, Ct = NatSemantics.CtView.Untracked }, throughKernel: true);
                foreach (var (v, _) in after)
                {
                    Add(results, v.Drop
                        ? new RulesResult(RulesEnd.Filtered, 0, 0, v.Decider)
                        : new RulesResult(RulesEnd.Untracked, 0, 0, before.Notrack ? before.Decider : -1));
                }
            }
            else
            {
                Add(results, new RulesResult(RulesEnd.Tracked, before.Mark, 0, -1));
            }
        }

        return results;
    }

    /// <summary>
    /// The chains after <c>nf_conntrack_in</c> up to the NAT core or confirm: for the flow's new entry
    /// (<paramref name="tracked"/>) or for a packet <c>tcp_packet</c> found invalid (no conntrack, through to the end).
    /// </summary>
    public IReadOnlyList<RulesResult> AfterConntrack(FlowActor flow, ConntrackTuple orig, uint mark, bool tracked)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var s = _semantics;
        var stages = s.Pipeline(flow.Path);
        var ct = Array.FindIndex(stages, st => st.Kind == NatSemantics.StageKind.Conntrack);
        var pkt = new NatSemantics.Pkt(orig, flow, stages[ct].Hook, mark, 0, tracked ? NatSemantics.CtView.New : NatSemantics.CtView.None);
        var results = new List<RulesResult>();
        foreach (var (v, stop) in s.RunStages(stages, ct + 1, pkt, throughKernel: !tracked))
        {
            Add(results, v.Drop
                ? new RulesResult(RulesEnd.Filtered, 0, 0, v.Decider)
                : new RulesResult(RulesEnd.Go, v.Mark, v.CtMark, -1, ToNat: stop < stages.Length && stages[stop].Kind == NatSemantics.StageKind.Nat));
        }

        return results;
    }

    /// <summary>
    /// <c>nf_nat_inet_fn</c>'s nat chains at <paramref name="hook"/> for the packet <paramref name="curr"/>; the entry's
    /// status so far (<paramref name="status"/>: its SrcNat/DstNat bits are what ctstate SNAT/DNAT see) as <c>NatSuccessors</c> passes it.
    /// </summary>
    public IReadOnlyList<RulesResult> NatChains(FlowActor flow, NatHook hook, ConntrackTuple curr, uint mark, uint ctMark, CtStatus status)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var results = new List<RulesResult>();
        var pkt = new NatSemantics.Pkt(curr, flow, NatSemantics.ToNetfilter(hook), mark, ctMark, NatSemantics.CtView.New) { NatStatus = NatSemantics.NatStatusOf(status) };
        foreach (var v in _semantics.EvaluateNat(pkt))
        {
            Add(results, v.Kind switch
            {
                NatSemantics.VerdictKind.TargetDrop => new RulesResult(RulesEnd.TargetDrop, 0, 0, v.Decider, v.Rule),
                NatSemantics.VerdictKind.Drop => new RulesResult(RulesEnd.Filtered, 0, 0, v.Decider),
                NatSemantics.VerdictKind.Nat => new RulesResult(RulesEnd.Nat, v.Mark, v.CtMark, -1, v.Rule, v.Range),
                _ => new RulesResult(RulesEnd.Go, v.Mark, v.CtMark, -1),
            });
        }

        return results;
    }

    /// <summary>
    /// The chains after the NAT core at <paramref name="hook"/>, up to the next kernel stage, on the rewritten packet; the
    /// entry's status after the manip (<paramref name="status"/>) as <c>DecisionSuccessors</c> passes it.
    /// </summary>
    public IReadOnlyList<RulesResult> AfterNat(FlowActor flow, NatHook hook, ConntrackTuple tuple, uint mark, uint ctMark, CtStatus status)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var s = _semantics;
        var stages = s.Pipeline(flow.Path);
        var natStage = NatSemantics.NatStage(stages, NatSemantics.ToNetfilter(hook));
        if (natStage < 0)
        {
            return [new RulesResult(RulesEnd.Go, mark, ctMark, -1)];
        }

        var results = new List<RulesResult>();
        var pkt = new NatSemantics.Pkt(tuple, flow, NatSemantics.ToNetfilter(hook), mark, ctMark, NatSemantics.CtView.New) { NatStatus = NatSemantics.NatStatusOf(status) };
        foreach (var (v, _) in s.RunStages(stages, natStage + 1, pkt))
        {
            Add(results, v.Drop ? new RulesResult(RulesEnd.Filtered, 0, 0, v.Decider) : new RulesResult(RulesEnd.Go, v.Mark, v.CtMark, -1));
        }

        return results;
    }

    private static void Add(List<RulesResult> results, RulesResult r)
    {
        if (!results.Contains(r))
        {
            results.Add(r);
        }
    }
}

/// <summary>The entry point of <see cref="FirstPacketRules"/>.</summary>
public sealed partial class NatSemantics
{
    private FirstPacketRules? _firstPacketRules;

    /// <summary>The rule evaluations of a first packet as pure functions (for interpreters other than the explicit walk).</summary>
    public FirstPacketRules FirstPacket => _firstPacketRules ??= new FirstPacketRules(this);
}
