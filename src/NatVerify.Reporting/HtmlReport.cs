using System.Globalization;
using System.Net;
using System.Text;

namespace NatVerify.Reporting;

/// <summary>
/// A self-contained HTML report of a <see cref="TraceView"/> (no external resources): header, the SVG sequence
/// diagram, one section per step, the final state and the spec. A script in the page checks after load that every
/// step and diagram row is present and sets <c>data-nv-status</c> on the body to <c>ok</c> (or <c>error</c>, with the
/// reason in <c>#nv-status</c>, which stays hidden unless rendering failed), so a headless browser can tell that the page rendered.
/// </summary>
public static class HtmlReport
{
    /// <summary>The HTML document.</summary>
    public static string Render(TraceView view)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(view.Title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Css).Append("</style>\n</head>\n");
        sb.Append(Invariant($"<body data-nv-status=\"loading\" data-nv-steps=\"{view.Steps.Count}\">\n"));
        sb.Append("<header>\n<h1>").Append(E(view.Title)).Append("</h1>\n<dl>\n");
        foreach (var (key, value) in view.Facts)
        {
            sb.Append("<dt>").Append(E(key)).Append("</dt><dd>").Append(E(value)).Append("</dd>\n");
        }

        sb.Append("</dl>\n<p id=\"nv-status\" hidden>loading…</p>\n</header>\n");
        sb.Append("<section id=\"diagram\">\n<h2>Sequence</h2>\n<p class=\"legend\"><span class=\"clash\">red: a tuple found taken (clash)</span> · <span class=\"rewrite\">orange: NAT rewrote a tuple</span> · solid arrow: the table changed · dashed: read only</p>\n");
        sb.Append(SequenceDiagram.Render(view)).Append("\n</section>\n");
        sb.Append("<section id=\"steps\">\n");
        foreach (var s in view.Steps)
        {
            var classes = "step" + (s.Clash ? " clash" : string.Empty) + (s.Rewrite ? " rewrite" : string.Empty);
            sb.Append(Invariant($"<article class=\"{classes}\" id=\"step-{s.Number}\" data-step=\"{s.Number}\">\n"));
            sb.Append(Invariant($"<h3><a href=\"#step-{s.Number}\">Step {s.Number}</a> · {E(s.Actor)} <small>({E(s.Role)})</small></h3>\n"));
            sb.Append("<p class=\"headline\">").Append(E(s.Headline)).Append("</p>\n");
            sb.Append("<p class=\"kernel\"><code>").Append(E(s.KernelFunction)).Append("</code></p>\n");
            foreach (var rule in s.Rules)
            {
                sb.Append("<p class=\"rule\">rule ").Append(E(rule.Role)).Append(": ");
                if (rule.Summary is { } summary)
                {
                    sb.Append(E(summary)).Append(" by ");
                }

                sb.Append("<b>").Append(E(rule.Name)).Append("</b> <code>").Append(E(rule.Text)).Append("</code>");
                if (rule.Location is not null)
                {
                    sb.Append(" at <span class=\"location\">").Append(E(rule.Location)).Append("</span>");
                }

                sb.Append(E(rule.Via));

                sb.Append("</p>\n");
            }
            if (s.Reads.Count > 0)
            {
                sb.Append("<ul class=\"reads\">\n");
                foreach (var r in s.Reads)
                {
                    sb.Append(r.Taken ? "<li class=\"taken\">" : "<li>").Append("<code>").Append(E($"{r.Function}({r.Tuple})")).Append("</code> → <b>").Append(E(r.Answer)).Append("</b>");
                    if (r.Note is not null)
                    {
                        sb.Append(" <i>").Append(E(r.Note)).Append("</i>");
                    }

                    sb.Append("</li>\n");
                }

                sb.Append("</ul>\n");
            }

            if (s.Changes.Count > 0 || s.CountersMoved.Count > 0)
            {
                sb.Append("<pre class=\"diff\">");
                foreach (var c in s.Changes)
                {
                    sb.Append("<span class=\"").Append(c.Kind.ToString().ToLowerInvariant()).Append("\">").Append(E(c.ToString())).Append("</span>\n");
                }

                foreach (var m in s.CountersMoved)
                {
                    sb.Append("<span class=\"counter\">").Append(E("~ conntrack -S " + m)).Append("</span>\n");
                }

                sb.Append("</pre>\n");
            }

            if (s.TableAfter is { } table)
            {
                sb.Append("<details open><summary>conntrack -L</summary><pre class=\"table\">").Append(E(string.Join("\n", table.DefaultIfEmpty("(empty)")))).Append("</pre></details>\n");
            }

            if (s.CountersMoved.Count > 0)
            {
                sb.Append("<p class=\"counters\">conntrack -S: <code>").Append(E(s.CountersAfter.ToString())).Append("</code></p>\n");
            }

            sb.Append("</article>\n");
        }

        sb.Append("</section>\n<section id=\"final\">\n<h2>Final state</h2>\n<table>\n<tr><th>actor</th><th>outcome</th></tr>\n");
        foreach (var o in view.Outcomes)
        {
            sb.Append("<tr><td>").Append(E(o.Actor)).Append("</td><td>").Append(E(o.Outcome)).Append("</td></tr>\n");
        }

        sb.Append("</table>\n<pre class=\"table\">").Append(E(string.Join("\n", view.FinalTable.DefaultIfEmpty("(empty)")))).Append("</pre>\n");
        sb.Append("<p class=\"counters\">conntrack -S: <code>").Append(E(view.FinalCounters.ToString())).Append("</code></p>\n</section>\n");
        if (view.SpecText is { } spec)
        {
            sb.Append("<section id=\"spec\"><details><summary>Spec</summary><pre>").Append(E(spec)).Append("</pre></details></section>\n");
        }

        sb.Append("<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private const string Css = """
        body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1b1f23; max-width: 110em; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; } h3 { font-size: 1em; margin: 0 0 .3em; }
        dl { display: grid; grid-template-columns: max-content auto; gap: .15em 1em; } dt { font-weight: 600; } dd { margin: 0; }
        code, pre { font-family: ui-monospace, monospace; font-size: .9em; }
        article.step { border-left: 4px solid #8c959f; padding: .4em .8em; margin: .8em 0; background: #f6f8fa; }
        article.step.rewrite { border-left-color: #d97706; } article.step.clash { border-left-color: #cf222e; }
        .headline { margin: .2em 0; } .kernel code { color: #57606a; }
        ul.reads { margin: .3em 0; padding-left: 1.2em; } li.taken b { color: #cf222e; }
        pre.diff span.added { color: #116329; } pre.diff span.removed { color: #cf222e; } pre.diff span.altered, pre.diff span.counter { color: #9a6700; }
        pre.table { background: #fff; border: 1px solid #d0d7de; padding: .4em; overflow-x: auto; }
        #diagram { overflow-x: auto; } .legend .clash { color: #cf222e; } .legend .rewrite { color: #d97706; }
        svg .lane rect { fill: #eef1f4; stroke: #8c959f; } svg .lane.table rect { fill: #ddf4ff; }
        svg .lane line { stroke: #8c959f; stroke-dasharray: 2 3; } svg .lane-name { font-weight: 600; font-size: 13px; } svg .lane-role { font-size: 11px; fill: #57606a; }
        svg .step line { stroke: #57606a; stroke-width: 1.5; } svg .step rect, svg .step circle { fill: #57606a; } svg .step .label { font-size: 11px; }
        svg .step.rewrite line { stroke: #d97706; } svg .step.rewrite circle, svg .step.rewrite rect { fill: #d97706; } svg .step.rewrite .label { fill: #9a4a00; }
        svg .step.clash line { stroke: #cf222e; stroke-width: 2.5; } svg .step.clash circle, svg .step.clash rect { fill: #cf222e; } svg .step.clash .label { fill: #cf222e; font-weight: 600; }
        table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: .2em .6em; text-align: left; }
        pre { overflow-x: auto; max-width: 100%; } article.step, section, header { min-width: 0; max-width: 100%; }
        ul.reads li, dd, .headline, td { overflow-wrap: anywhere; } #final table { display: block; overflow-x: auto; max-width: 100%; }
        #nv-status { color: #cf222e; font-weight: 600; }

        """;

    // Runs after the document is parsed: every step must have its section and its diagram row.
    private const string Script = """
        (function () {
          var body = document.body, status = document.getElementById('nv-status');
          function fail(message) {
            body.setAttribute('data-nv-status', 'error');
            status.textContent = 'This report did not render completely (nv-error: ' + message + ').';
            status.hidden = false;
          }
          window.addEventListener('error', function (e) { fail(e.message || 'script error'); });
          try {
            var expected = parseInt(body.getAttribute('data-nv-steps'), 10);
            var sections = document.querySelectorAll('article.step');
            var rows = document.querySelectorAll('#sequence g.step');
            if (sections.length !== expected) { fail('expected ' + expected + ' step sections, found ' + sections.length); return; }
            if (rows.length !== expected) { fail('expected ' + expected + ' diagram rows, found ' + rows.length); return; }
            for (var i = 1; i <= expected; i++) {
              if (!document.getElementById('step-' + i)) { fail('step ' + i + ' is missing'); return; }
            }
            rows.forEach(function (row) {
              row.style.cursor = 'pointer';
              row.addEventListener('click', function () { location.hash = 'step-' + row.getAttribute('data-step'); });
            });
            body.setAttribute('data-nv-status', 'ok');
            status.textContent = 'nv-ok: ' + expected + ' steps rendered';
          } catch (e) { fail(String(e)); }
        })();

        """;

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
