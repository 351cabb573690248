using System.Globalization;
using System.Net;
using System.Text;

namespace NatVerify.Reporting;

/// <summary>
/// An SVG sequence diagram of a <see cref="TraceView"/>: one vertical lane per actor (a flow on its CPU, a ctnetlink
/// writer, a timer, the GC worker) and one for the conntrack table; one row per step. A step that reads or writes the
/// table is an arrow from its actor to the table lane; a step on a private entry is a box on the actor's lane. Clash
/// steps are red (class <c>clash</c>), tuple rewrites orange (class <c>rewrite</c>).
/// </summary>
public static class SequenceDiagram
{
    private const int LaneWidth = 190;
    private const int Margin = 20;
    private const int HeaderHeight = 56;
    private const int RowHeight = 44;

    /// <summary>The SVG element (no XML declaration, for inlining in HTML).</summary>
    public static string Render(TraceView view)
    {
        var tableLane = view.Lanes.Count - 1;
        var width = (Margin * 2) + (view.Lanes.Count * LaneWidth);
        var height = HeaderHeight + ((view.Steps.Count + 1) * RowHeight);
        var sb = new StringBuilder();
        sb.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"sequence\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"sequence diagram\">\n"));
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"context-stroke\"/></marker></defs>\n");
        for (var i = 0; i < view.Lanes.Count; i++)
        {
            var x = LaneX(i);
            var lane = view.Lanes[i];
            var cls = i == tableLane ? "lane table" : "lane";
            sb.Append(Invariant($"<g class=\"{cls}\" data-lane=\"{i}\"><rect x=\"{x - 80}\" y=\"8\" width=\"160\" height=\"38\" rx=\"6\"/>"));
            sb.Append(Invariant($"<text x=\"{x}\" y=\"24\" text-anchor=\"middle\" class=\"lane-name\">{E(lane.Name)}</text>"));
            sb.Append(Invariant($"<text x=\"{x}\" y=\"39\" text-anchor=\"middle\" class=\"lane-role\">{E(lane.Role)}</text>"));
            sb.Append(Invariant($"<line x1=\"{x}\" y1=\"{HeaderHeight - 8}\" x2=\"{x}\" y2=\"{height - 8}\"/></g>\n"));
        }

        foreach (var s in view.Steps)
        {
            var y = HeaderHeight + (s.Number * RowHeight) - 12;
            var classes = "step" + (s.Clash ? " clash" : string.Empty) + (s.Rewrite ? " rewrite" : string.Empty);
            var from = LaneX(s.Lane);
            var to = LaneX(tableLane);
            sb.Append(Invariant($"<g class=\"{classes}\" data-step=\"{s.Number}\"><title>{E($"Step {s.Number}: {s.Actor}: {s.Headline}{string.Concat(s.Rules.Select(r => "; " + r))}")}</title>"));
            if (s.TouchesTable && s.Lane != tableLane)
            {
                var dashed = s.TableAfter is null ? " stroke-dasharray=\"5 4\"" : string.Empty;
                sb.Append(Invariant($"<line x1=\"{from}\" y1=\"{y}\" x2=\"{to - 4}\" y2=\"{y}\"{dashed} marker-end=\"url(#arrow)\"/>"));
            }
            else
            {
                sb.Append(Invariant($"<rect x=\"{from - 7}\" y=\"{y - 7}\" width=\"14\" height=\"14\" rx=\"3\"/>"));
            }

            sb.Append(Invariant($"<circle cx=\"{from}\" cy=\"{y}\" r=\"4\"/>"));
            sb.Append(Invariant($"<text x=\"{from + 8}\" y=\"{y - 6}\" class=\"label\">{E($"{s.Number}. {Short(s)}")}</text></g>\n"));
        }

        sb.Append("</svg>");
        return sb.ToString();
    }

    private static int LaneX(int lane) => Margin + (lane * LaneWidth) + (LaneWidth / 2);

    private static string Short(StepView s)
    {
        var text = s.Kind switch
        {
            "conntrack-in" => "conntrack entry created",
            "nat-setup" when s.Rewrite => "NAT rewrites tuple",
            "nat-setup" => "NAT keeps tuple",
            "confirm" when s.Clash => "confirm: clash",
            "confirm" => "confirmed",
            "ctnetlink-insert" => s.Clash ? "conntrack -I: EEXIST" : "conntrack -I",
            "ctnetlink-delete" => "conntrack -D",
            "timeout" => "timeout",
            _ => s.Kind,
        };
        if (s.Kind == "nat-setup" && s.Reads.Any(r => r.Taken))
        {
            text += " (probe: taken)";
        }

        return text;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
