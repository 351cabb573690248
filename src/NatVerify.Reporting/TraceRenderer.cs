using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Traces;

namespace NatVerify.Reporting;

/// <summary>
/// Renders a trace as text, one block per step: actor (flow / CPU, ctnetlink, timer), kernel function, what it read
/// (each probe and its answer), what changed (a diff: entries added <c>+</c>, altered <c>~</c>, removed <c>-</c>,
/// private changes <c>*</c>, counters moved), and the table (<c>conntrack -L</c>) and counters (<c>conntrack -S</c>)
/// where they changed. Produced from the <see cref="TraceView"/>, like every other rendering.
/// </summary>
public sealed class TraceRenderer(NatSemantics semantics)
{
    /// <summary>The whole trace as text lines (the step blocks only).</summary>
    public IReadOnlyList<string> Render(Trace<NatState, NatStep> trace) => RenderSteps(new TraceViewBuilder(semantics).Build(trace));

    /// <summary>The step blocks of a view.</summary>
    public static IReadOnlyList<string> RenderSteps(TraceView view)
    {
        var lines = new List<string>();
        foreach (var s in view.Steps)
        {
            lines.Add($"Step {s.Number}  {s.Actor} ({s.Role}): {s.Headline}");
            lines.Add($"  kernel:  {s.KernelFunction}");
            foreach (var rule in s.Rules)
            {
                lines.Add($"  rule:    {rule}");
            }
            foreach (var read in s.Reads)
            {
                lines.Add($"  read:    {read}");
            }

            foreach (var change in s.Changes)
            {
                lines.Add($"  changed: {change}");
            }

            if (s.Changes.Count == 0)
            {
                lines.Add("  changed: nothing shared");
            }

            if (s.CountersMoved.Count > 0)
            {
                lines.Add($"  changed: counters {string.Join(", ", s.CountersMoved)}");
            }

            if (s.TableAfter is { } table)
            {
                lines.Add("  conntrack -L:");
                lines.AddRange(table.Count == 0 ? ["    (empty)"] : table.Select(l => "    " + l));
            }

            if (s.CountersMoved.Count > 0)
            {
                lines.Add($"  conntrack -S: {s.CountersAfter}");
            }
        }

        return lines;
    }

    /// <summary>A whole report as text: title, header facts, the steps, and the final state.</summary>
    public static string RenderDocument(TraceView view)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine(view.Title);
        foreach (var (key, value) in view.Facts)
        {
            w.WriteLine($"  {key}: {value}");
        }

        w.WriteLine();
        foreach (var line in RenderSteps(view))
        {
            w.WriteLine(line);
        }

        w.WriteLine();
        w.WriteLine("Final state");
        w.WriteLine("  outcomes: " + string.Join(", ", view.Outcomes.Select(o => $"{o.Actor}: {o.Outcome}")));
        w.WriteLine("  conntrack -L:");
        foreach (var line in view.FinalTable.DefaultIfEmpty("(empty)"))
        {
            w.WriteLine("    " + line);
        }

        w.WriteLine($"  conntrack -S: {view.FinalCounters}");
        return w.ToString();
    }
}
