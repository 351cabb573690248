using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;

namespace NatVerify.Traces;

/// <summary>Structured facts about a model state that every rendering and the trace file share.</summary>
public static class TableFacts
{
    /// <summary>Flag text of an entry inserted by <c>nf_ct_resolve_clash_harder</c>.</summary>
    public const string NatClashFlag = "NAT_CLASH";

    /// <summary>Flag text of an entry whose timeout ran out but which is still linked.</summary>
    public const string ExpiredFlag = "expired";

    /// <summary>Every linked entry (NAT_CLASH entries included, though a real dump hides them), in actor order.</summary>
    public static IReadOnlyList<TableEntry> Entries(NatSemantics semantics, NatState state)
    {
        var entries = new List<TableEntry>();
        for (var i = 0; i < state.Count; i++)
        {
            var s = state[i];
            if (!s.Linked)
            {
                continue;
            }

            var flags = new List<string>();
            if (s.Has(CtStatus.SrcNat))
            {
                flags.Add("SRC_NAT");
            }

            if (s.Has(CtStatus.DstNat))
            {
                flags.Add("DST_NAT");
            }

            if (s.Has(CtStatus.NatClash))
            {
                flags.Add(NatClashFlag);
            }

            if (s.Has(CtStatus.Expired))
            {
                flags.Add(ExpiredFlag);
            }

            var mark = semantics.Scenario.Actors[i] is FlowActor f ? f.Mark : 0u;
            entries.Add(new TableEntry(i, semantics.Original(i), s.Reply, mark, flags));
        }

        return entries;
    }

    /// <summary>Every actor's outcome in the state, in actor order.</summary>
    public static IReadOnlyList<ActorOutcome> Outcomes(NatSemantics semantics, NatState state) =>
        Enumerable.Range(0, state.Count)
            .Select(i => new ActorOutcome(semantics.Scenario.Actors[i].Name, semantics.OutcomeOf(state, i).ToString()))
            .ToList();
}
