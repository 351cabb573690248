using System.Text;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Reporting;

/// <summary>Renders the confirmed table like <c>conntrack -L</c> and the counters like <c>conntrack -S</c>.</summary>
public sealed class ConntrackTable(NatSemantics semantics)
{
    private readonly TupleFormat _format = new(semantics);

    /// <summary>One line per linked entry (NAT_CLASH entries included, though a real dump hides them), owner in a comment.</summary>
    public IReadOnlyList<string> List(NatState state)
    {
        var lines = new List<string>();
        for (var i = 0; i < state.Count; i++)
        {
            var s = state[i];
            if (!s.Linked)
            {
                continue;
            }

            var orig = semantics.Original(i);
            var line = new StringBuilder();
            line.Append($"{orig.Protocol.Name(),-8} {(int)orig.Protocol,-2} ");
            line.Append(_format.Fields(orig));
            line.Append(' ').Append(_format.Fields(s.Reply));

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
                flags.Add("NAT_CLASH (reply-only; hidden from dumps)");
            }

            if (s.Has(CtStatus.Expired))
            {
                flags.Add("expired, not yet collected");
            }

            if (semantics.Scenario.Actors[i] is FlowActor f && f.Mark != 0)
            {
                line.Append($" mark={f.Mark}");
            }

            if (flags.Count > 0)
            {
                line.Append(" [").Append(string.Join(", ", flags)).Append(']');
            }

            line.Append("   # ").Append(semantics.Scenario.Actors[i].Name);
            lines.Add(line.ToString());
        }

        return lines;
    }

    /// <summary>The <c>conntrack -S</c> counters a sequence of steps moves.</summary>
    public static Counters Count(IEnumerable<NatStep> steps)
    {
        var c = new Counters();
        foreach (var step in steps)
        {
            c = c.After(step);
        }

        return c;
    }
}

/// <summary>The per-CPU <c>conntrack -S</c> counters the model moves, summed over CPUs.</summary>
public sealed record Counters(long Found = 0, long Insert = 0, long InsertFailed = 0, long Drop = 0, long ClashResolve = 0)
{
    /// <summary>The counters after one more step.</summary>
    public Counters After(NatStep step)
    {
        // `found` counts the positive nf_conntrack_tuple_taken probes the step recorded (a search's rejected
        // candidates are not recorded one by one, so this is a lower bound of the kernel's counter).
        var found = step is NatSetup ? step.Probes.Count(p => p.TakenBy >= 0 && p.Function is "nf_conntrack_tuple_taken" or "nf_nat_l4proto_unique_tuple") : 0;
        var c = this with { Found = Found + found };
        return step switch
        {
            Confirm { Result: ConfirmResult.Dropped } => c with { InsertFailed = c.InsertFailed + 1, Drop = c.Drop + 1 },
            Confirm { Result: ConfirmResult.Merged or ConfirmResult.ClashEntry } => c with { ClashResolve = c.ClashResolve + 1 },
            CtnetlinkInsertStep { ClashWith: < 0 } => c with { Insert = c.Insert + 1 },
            _ => c,
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"found={Found} insert={Insert} insert_failed={InsertFailed} drop={Drop} clash_resolve={ClashResolve}";
}
