using NatVerify.Reporting;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>Every rendering is produced from the structured <see cref="TraceView"/> of a replayed trace.</summary>
public class RenderingTests
{
    [Fact]
    public void The_seed_race_trace_reads_like_the_seed_article()
    {
        var (file, trace, result) = Repo.Witness("specs/seed/race-thief.yaml");
        var lines = new TraceRenderer(result.Semantics).Render(trace);
        var text = string.Join("\n", lines);

        // The client's entry is created, the thief is confirmed, the client's null binding probes and finds its
        // reply tuple taken by the thief, picks a new source port, and confirms: in that order.
        var order = new[]
        {
            "client (flow / CPU): conntrack entry created at OUTPUT (unconfirmed, private): tcp 198.51.100.1:12345 -> 198.51.100.2:80",
            "thief (flow / CPU): confirmed: both tuples linked into the table",
            "client (flow / CPU): POSTROUTING no rule matched: SRC null binding finds the tuple it would use taken by thief: source port 12345 rewritten to",
            "read:    nf_conntrack_tuple_taken(tcp 198.51.100.2:80 -> 198.51.100.1:12345) -> taken by thief",
            "client (flow / CPU): confirmed: both tuples linked into the table",
        };
        var at = -1;
        foreach (var expected in order)
        {
            var next = text.IndexOf(expected, at + 1, StringComparison.Ordinal);
            Assert.True(next > at, $"expected after position {at}: {expected}\n{text}");
            at = next;
        }

        Assert.Equal(file.Steps.Count, lines.Count(l => l.StartsWith("Step ", StringComparison.Ordinal)));
        Assert.Equal(file.Steps.Count, lines.Count(l => l.StartsWith("  kernel:  ", StringComparison.Ordinal)));
        Assert.Contains("  changed: + tcp      6  src=198.51.100.1 dst=198.51.100.2 sport=54321 dport=80 src=198.51.100.2 dst=198.51.100.1 sport=80 dport=12345 mark=100 [SRC_NAT]   # thief", lines);
    }

    [Fact]
    public void A_drop_shows_the_clash_and_the_counters_that_moved()
    {
        var (_, trace, result) = Repo.Witness("specs/seed/client-first.yaml");
        var view = new TraceViewBuilder(result.Semantics).Build(trace);
        var confirm = view.Steps[^1];
        Assert.Equal("thief", confirm.Actor);
        Assert.True(confirm.Clash);
        Assert.Equal(["insert_failed +1", "drop +1"], confirm.CountersMoved);
        Assert.Null(confirm.TableAfter);
        Assert.Contains("packet DROPPED (insert_failed)", confirm.Headline, StringComparison.Ordinal);
        var text = TraceRenderer.RenderSteps(view);
        Assert.Contains(text, l => l.StartsWith("  conntrack -S: found=", StringComparison.Ordinal) && l.EndsWith(" insert=0 insert_failed=1 drop=1 clash_resolve=0", StringComparison.Ordinal));
    }

    [Fact]
    public void Markdown_has_a_section_for_every_step_and_the_final_state()
    {
        var (file, trace, result) = Repo.Witness("specs/seed/race-ctnetlink.yaml");
        var md = MarkdownRenderer.Render(new TraceViewBuilder(result.Semantics).Build(trace, file));
        for (var n = 1; n <= file.Steps.Count; n++)
        {
            Assert.Contains($"\n## Step {n} · ", md, StringComparison.Ordinal);
        }

        Assert.Contains("## Final state", md, StringComparison.Ordinal);
        Assert.Contains("```diff\n+ tcp      6  src=192.0.2.1", md, StringComparison.Ordinal);
    }

    [Fact]
    public void The_svg_has_one_lane_per_actor_and_one_for_the_table_and_highlights_clashes_and_rewrites()
    {
        var (file, trace, result) = Repo.Witness("specs/seed/race-thief.yaml");
        var view = new TraceViewBuilder(result.Semantics).Build(trace, file);
        Assert.Equal(["client", "thief", "conntrack table"], view.Lanes.Select(l => l.Name));
        var svg = SequenceDiagram.Render(view);
        Assert.Equal(3, CountOf(svg, "<g class=\"lane"));
        Assert.Equal(file.Steps.Count, CountOf(svg, "data-step=\""));
        var nullBinding = view.Steps.Single(s => s.Actor == "client" && s.Rewrite);
        Assert.True(nullBinding.Clash);
        Assert.Contains($"<g class=\"step clash rewrite\" data-step=\"{nullBinding.Number}\">", svg, StringComparison.Ordinal);
    }

    [ToolFact(false, "chromium")]
    public void The_html_report_loads_in_headless_chromium_and_shows_every_step()
    {
        var (file, trace, result) = Repo.Witness("specs/seed/race-unconstrained.yaml", joint: 2);
        var html = HtmlReport.Render(new TraceViewBuilder(result.Semantics).Build(trace, file));
        var dir = Repo.TempDir();
        try
        {
            var page = Path.Combine(dir, "report.html");
            File.WriteAllText(page, html);
            var (code, dom, err) = Tools.Run("chromium", Chromium.Arguments(Path.Combine(dir, "profile"), "--dump-dom", new Uri(page).AbsoluteUri), TimeSpan.FromSeconds(90));

            Assert.True(code == 0, $"chromium exited {code}: {err}");
            Assert.Contains("data-nv-status=\"ok\"", dom, StringComparison.Ordinal);
            Assert.Contains($"nv-ok: {file.Steps.Count} steps rendered", dom, StringComparison.Ordinal);
            Assert.DoesNotContain("data-nv-status=\"error\"", dom, StringComparison.Ordinal);
            // The marker is for tests only: the element stays hidden from the reader when the page rendered.
            Assert.Contains("<p id=\"nv-status\" hidden=\"\">nv-ok:", dom, StringComparison.Ordinal);
            for (var n = 1; n <= file.Steps.Count; n++)
            {
                Assert.Contains($"id=\"step-{n}\"", dom, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_html_report_marks_itself_broken_when_a_step_is_missing()
    {
        // The in-page check is what the Chromium test relies on; without a browser, check that it counts steps.
        var (file, trace, result) = Repo.Witness("specs/seed/race-thief.yaml");
        var html = HtmlReport.Render(new TraceViewBuilder(result.Semantics).Build(trace, file));
        Assert.Contains($"data-nv-steps=\"{file.Steps.Count}\"", html, StringComparison.Ordinal);
        Assert.Equal(file.Steps.Count, CountOf(html, "<article class=\"step"));
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", html, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
