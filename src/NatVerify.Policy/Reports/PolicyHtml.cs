using System.Globalization;
using System.Net;
using System.Text;
using NatVerify.Model;
using NatVerify.Model.Nat;
using NatVerify.Reporting;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Policy.Reports;

/// <summary>
/// The self-contained <c>--html</c> report: findings grouped by class (most severe first), every rule quoted inside
/// its chain with the rule highlighted, and each witness's sequence diagram drawn by the trace report's renderer
/// (<see cref="SequenceDiagram"/>) from the witness spec's shortest trace. Every string that came from the user's
/// files is HTML-escaped; the page loads nothing from outside.
/// </summary>
public static class PolicyHtml
{
    /// <summary>Renders the page.</summary>
    /// <param name="report">The report.</param>
    /// <param name="ruleset">The parsed ruleset, for the chains the rules are quoted in (null: rules alone).</param>
    /// <param name="profile">The profile the witnesses are checked on.</param>
    public static string Render(PolicyReport report, NatRuleset? ruleset, KernelProfile profile)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        sb.Append("<title>natverify policy: ").Append(E(report.RulesetFile)).Append("</title>\n<style>\n");
        sb.Append("body{font-family:sans-serif;margin:2em;max-width:80em} pre{background:#f6f6f6;padding:.5em;overflow-x:auto}");
        sb.Append(" .error{color:#b00020} .warning{color:#a15c00} .note{color:#275} mark{background:#ffe08a}");
        sb.Append(" .finding{border:1px solid #ccc;border-radius:4px;padding:.5em 1em;margin:1em 0} svg{max-width:100%;height:auto}\n");
        sb.Append("</style></head><body>\n");
        sb.Append("<h1>natverify policy</h1>\n<p>Ruleset <code>").Append(E(report.RulesetFile)).Append("</code> (")
            .Append(E(report.Format)).Append("), profile <code>").Append(E(report.Profile)).Append("</code>.</p>\n");
        if (report.Inconclusive is { } why)
        {
            sb.Append("<p class=\"error\" id=\"inconclusive\">Incomplete: ").Append(E(why)).Append("</p>\n");
        }

        sb.Append("<p id=\"summary\">").Append(report.Findings.Count.ToString(CultureInfo.InvariantCulture)).Append(" finding(s): ");
        sb.Append(string.Join(", ", new[] { Severity.Error, Severity.Warning, Severity.Note }
            .Select(s => $"{report.Findings.Count(f => f.Severity == s)} {s.Name()}"))).Append(".</p>\n");
        var index = 0;
        foreach (var group in Ordered(report.Findings).GroupBy(f => f.Class))
        {
            sb.Append("<h2>").Append(E(group.Key.Name())).Append("</h2>\n");
            foreach (var f in group)
            {
                index++;
                sb.Append("<div class=\"finding\" id=\"finding-").Append(index.ToString(CultureInfo.InvariantCulture)).Append("\">\n");
                sb.Append("<h3 class=\"").Append(f.Severity.Name()).Append("\">").Append(f.Severity.Name()).Append(": ")
                    .Append(E(f.Class.Name())).Append("</h3>\n<p>").Append(E(f.Message)).Append("</p>\n");
                if (f.ConsequenceByProfile.Count > 0)
                {
                    sb.Append("<ul>");
                    foreach (var (p, c) in f.ConsequenceByProfile.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        sb.Append("<li><code>").Append(E(p)).Append("</code>: ").Append(E(c)).Append("</li>");
                    }

                    sb.Append("</ul>\n");
                }

                if (f.Numbers.Count > 0)
                {
                    sb.Append("<p>").Append(string.Join(", ", f.Numbers.OrderBy(p => p.Key, StringComparer.Ordinal)
                        .Select(p => $"{E(p.Key)} = {p.Value.ToString(CultureInfo.InvariantCulture)}"))).Append("</p>\n");
                }

                foreach (var r in f.Rules)
                {
                    sb.Append("<p class=\"rule\"><code>").Append(E($"{r.File}:{r.Line}"))
                        .Append(r.Handle is { } h ? E($" handle {h}") : string.Empty).Append("</code> in ")
                        .Append(E($"{r.Table} chain {r.Chain}")).Append(":</p>\n<pre>").Append(ChainContext(r, ruleset)).Append("</pre>\n");
                }

                if (f.WitnessSpec is { } spec)
                {
                    sb.Append("<p>Witness <code>").Append(E(f.WitnessPath ?? "(not written: no --witness-dir)")).Append("</code>:</p>\n");
                    sb.Append(WitnessDiagram(spec, f.WitnessPath ?? "witness.yaml", profile, index));
                }

                sb.Append("</div>\n");
            }
        }

        sb.Append("<h2>Assumptions</h2>\n<ul id=\"assumptions\">\n");
        foreach (var a in report.Assumptions)
        {
            sb.Append("<li>").Append(E(a)).Append("</li>\n");
        }

        sb.Append("</ul>\n</body></html>\n");
        return sb.ToString();
    }

    /// <summary>Findings grouped by class, the class with the most severe finding first, most severe first within.</summary>
    public static IEnumerable<Finding> Ordered(IEnumerable<Finding> findings) =>
        findings.GroupBy(f => f.Class)
            .OrderByDescending(g => g.Max(f => f.Severity)).ThenBy(g => g.Key)
            .SelectMany(g => g.OrderByDescending(f => f.Severity));

    private static string ChainContext(RuleRef r, NatRuleset? ruleset)
    {
        var chain = ruleset?.Tables.FirstOrDefault(t => t.Key == r.Table)?.Chains.GetValueOrDefault(r.Chain)
            ?? (r.Table == NatRuleset.IptablesNatKey ? ruleset?.Chains.GetValueOrDefault(r.Chain) : null);
        if (chain == null || !chain.Rules.Any(x => x.Line == r.Line))
        {
            return "<mark>" + E(r.Text) + "</mark>";
        }

        var sb = new StringBuilder();
        var previous = -1;
        foreach (var rule in chain.Rules)
        {
            // A map or vmap rule is lowered to one model rule per element; the page shows the line once.
            if (rule.Line == previous)
            {
                continue;
            }

            previous = rule.Line;
            var line = E($"{rule.Line,6}  {AnalysisContext.TextOf(rule)}");
            sb.Append(rule.Line == r.Line ? $"<mark>{line}</mark>" : line).Append('\n');
        }

        return sb.ToString();
    }

    private static string WitnessDiagram(string specText, string path, KernelProfile profile, int index)
    {
        try
        {
            var spec = SpecLoader.Parse(specText, path);
            var result = Verifier.Check(spec, new CheckSettings { Profile = profile });
            var trace = result.Violation?.Trace
                ?? result.Outcomes.Joint.Select(j => j.Witness).OrderBy(t => t.Steps.Count).FirstOrDefault();
            if (trace == null)
            {
                return "<p>(the witness has no trace to draw)</p>\n";
            }

            var view = new TraceViewBuilder(result.Semantics).Build(trace);
            var svg = SequenceDiagram.Render(view).Replace("id=\"sequence\"", $"id=\"sequence-{index.ToString(CultureInfo.InvariantCulture)}\"", StringComparison.Ordinal);
            return svg + "\n";
        }
        catch (SpecException e)
        {
            return "<p class=\"error\">The witness could not be loaded: " + E(e.Message) + "</p>\n";
        }
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
