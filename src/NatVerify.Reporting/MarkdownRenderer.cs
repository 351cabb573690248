using System.Text;

namespace NatVerify.Reporting;

/// <summary>Renders a <see cref="TraceView"/> as GitHub-flavoured Markdown: a header table, one section per step, the final state.</summary>
public static class MarkdownRenderer
{
    /// <summary>The Markdown document.</summary>
    public static string Render(TraceView view)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Inline(view.Title)).Append("\n\n");
        sb.Append("| | |\n|---|---|\n");
        foreach (var (key, value) in view.Facts)
        {
            sb.Append("| ").Append(Cell(key)).Append(" | ").Append(Cell(value)).Append(" |\n");
        }

        sb.Append("\nLanes: ").Append(string.Join(", ", view.Lanes.Select(l => $"**{Inline(l.Name)}** ({l.Role})"))).Append("\n");
        foreach (var s in view.Steps)
        {
            var marks = (s.Clash ? " ⚠ clash" : string.Empty) + (s.Rewrite ? " ✎ rewrite" : string.Empty);
            sb.Append("\n## Step ").Append(s.Number).Append(" · ").Append(Inline(s.Actor)).Append(" (").Append(s.Role).Append(')').Append(marks).Append("\n\n");
            sb.Append(Inline(s.Headline)).Append("\n\n");
            sb.Append("- kernel: `").Append(Code(s.KernelFunction)).Append("`\n");
            foreach (var rule in s.Rules)
            {
                sb.Append("- rule ").Append(Inline(rule.Role)).Append(": ");
                if (rule.Summary is { } summary)
                {
                    sb.Append(Inline(summary)).Append(" by ");
                }

                sb.Append(Inline(rule.Name)).Append(" `").Append(Code(rule.Text)).Append('`');
                if (rule.Location is not null)
                {
                    sb.Append(" at ").Append(Inline(rule.Location));
                }

                sb.Append(Inline(rule.Via));

                sb.Append('\n');
            }
            foreach (var r in s.Reads)
            {
                sb.Append("- read: `").Append(Code($"{r.Function}({r.Tuple})")).Append("` → **").Append(Inline(r.Answer)).Append("**");
                if (r.Note is not null)
                {
                    sb.Append(" (").Append(Inline(r.Note)).Append(')');
                }

                sb.Append('\n');
            }

            if (s.Changes.Count > 0 || s.CountersMoved.Count > 0)
            {
                sb.Append("\n```diff\n");
                foreach (var c in s.Changes)
                {
                    sb.Append(c.Kind switch { ChangeKind.Added => '+', ChangeKind.Removed => '-', ChangeKind.Altered => '!', _ => ' ' }).Append(' ').Append(c.Text).Append('\n');
                }

                foreach (var m in s.CountersMoved)
                {
                    sb.Append("! conntrack -S ").Append(m).Append('\n');
                }

                sb.Append("```\n");
            }

            if (s.TableAfter is { } table)
            {
                sb.Append("\n`conntrack -L` after this step:\n\n```\n");
                foreach (var line in table.DefaultIfEmpty("(empty)"))
                {
                    sb.Append(line).Append('\n');
                }

                sb.Append("```\n");
            }

            if (s.CountersMoved.Count > 0)
            {
                sb.Append("\n`conntrack -S`: `").Append(s.CountersAfter).Append("`\n");
            }
        }

        sb.Append("\n## Final state\n\n");
        sb.Append("| actor | outcome |\n|---|---|\n");
        foreach (var o in view.Outcomes)
        {
            sb.Append("| ").Append(Cell(o.Actor)).Append(" | ").Append(Cell(o.Outcome)).Append(" |\n");
        }

        sb.Append("\n```\n");
        foreach (var line in view.FinalTable.DefaultIfEmpty("(empty)"))
        {
            sb.Append(line).Append('\n');
        }

        sb.Append("```\n\n`conntrack -S`: `").Append(view.FinalCounters).Append("`\n");
        if (view.SpecText is { } spec)
        {
            sb.Append("\n<details><summary>Spec</summary>\n\n```yaml\n").Append(spec.TrimEnd('\n')).Append("\n```\n\n</details>\n");
        }

        return sb.ToString();
    }

    private static string Inline(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static string Cell(string text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Code(string text) => text.Replace("`", "'", StringComparison.Ordinal);
}
