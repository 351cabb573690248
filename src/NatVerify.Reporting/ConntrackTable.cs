using System.Text;
using NatVerify.Model.Addressing;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Traces;

namespace NatVerify.Reporting;

/// <summary>Renders the confirmed table like <c>conntrack -L</c> and the counters like <c>conntrack -S</c>.</summary>
public sealed class ConntrackTable(NatSemantics semantics)
{
    private readonly TupleFormat _format = new(semantics);

    /// <summary>One line per linked entry (NAT_CLASH entries included, though a real dump hides them), owner in a comment.</summary>
    public IReadOnlyList<string> List(NatState state) => TableFacts.Entries(semantics, state).Select(Line).ToList();

    /// <summary>The <c>conntrack -L</c> line of one entry, with its owner in a trailing comment.</summary>
    public string Line(TableEntry entry)
    {
        var orig = entry.Original;
        var line = new StringBuilder();
        line.Append($"{orig.Protocol.Name(),-8} {(int)orig.Protocol,-2} ");
        line.Append(_format.Fields(orig));
        line.Append(' ').Append(_format.Fields(entry.Reply));
        if (entry.Mark != 0)
        {
            line.Append($" mark={entry.Mark}");
        }

        var flags = entry.Flags.Select(f => f switch
        {
            TableFacts.NatClashFlag => "NAT_CLASH (reply-only; hidden from dumps)",
            TableFacts.ExpiredFlag => "expired, not yet collected",
            _ => f,
        }).ToList();
        if (flags.Count > 0)
        {
            line.Append(" [").Append(string.Join(", ", flags)).Append(']');
        }

        line.Append("   # ").Append(semantics.Scenario.Actors[entry.Owner].Name);
        return line.ToString();
    }

    /// <summary>The <c>conntrack -S</c> counters a sequence of steps moves.</summary>
    public static Counters Count(IEnumerable<NatStep> steps) => Counters.Count(steps);
}
