using NatVerify.Reporting;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>
/// Traces name the rule that decided a packet's fate with its location: the trace file records its line and column in
/// the embedded spec text (the same on every recording), and every rendering of a loaded spec points at its file.
/// </summary>
public class DecidingRuleTests
{
    private const string Spec = "specs/rules/filter-drop-before-confirm.yaml";

    [Fact]
    public void A_filter_drop_is_recorded_with_its_rule_name_text_and_line_in_the_embedded_spec()
    {
        var (file, _, _) = Repo.Witness(Spec);
        var rule = Assert.Single(file.Steps.SelectMany(s => s.Rules), r => r.Verdict == "DROP");
        // filter OUTPUT (priority 0) runs after the OUTPUT NAT core (-100): the drop follows the DST null binding.
        Assert.Equal("dropped after NAT", rule.Role);
        Assert.Equal("filter/OUTPUT#1", rule.Name);
        Assert.Contains("-j DROP", rule.Text, StringComparison.Ordinal);

        var lines = file.Spec.Text.Split('\n');
        var expectedLine = Array.FindIndex(lines, l => l.Contains("-A OUTPUT -p tcp", StringComparison.Ordinal)) + 1;
        Assert.Equal(expectedLine, rule.Line);
        Assert.Equal(lines[expectedLine - 1].IndexOf("-A", StringComparison.Ordinal) + 1, rule.Column);
        Assert.Null(rule.Handle);
    }

    [Fact]
    public void The_rules_survive_a_write_and_read_of_the_trace_file_and_a_replay_records_them_identically()
    {
        var (file, _, _) = Repo.Witness(Spec);
        var json = TraceJson.Write(file);
        Assert.Contains("\"rules\": [", json, StringComparison.Ordinal);
        var read = TraceJson.Read(json, "w.json");
        Assert.Equal(file.Steps.SelectMany(s => s.Rules), read.Steps.SelectMany(s => s.Rules));

        var replay = TraceReplayer.Replay(read, "w.json");
        var again = TraceRecorder.RecordWitness(new TraceSource(read.Spec, replay.Semantics, read.Properties, read.Engine), replay.Trace);
        Assert.Equal(json, TraceJson.Write(again));
    }

    [Fact]
    public void A_trace_without_rules_keys_still_reads()
    {
        var (file, _, _) = Repo.Witness(Spec);
        // Written before steps named their rules: no "rules" key at all (no rule here takes a path, so no nested array).
        var old = System.Text.RegularExpressions.Regex.Replace(TraceJson.Write(file), @",\s*""rules"": \[[^\]]*\]", string.Empty);
        Assert.DoesNotContain("\"rules\"", old, StringComparison.Ordinal);
        Assert.All(TraceJson.Read(old, "old.json").Steps, s => Assert.Empty(s.Rules));
    }

    [Fact]
    public void Text_markdown_and_html_renderings_point_at_the_rule_in_the_spec_file()
    {
        var (_, trace, result) = Repo.Witness(Spec);
        var view = new TraceViewBuilder(result.Semantics).Build(trace);
        var rule = Assert.Single(view.Steps.SelectMany(s => s.Rules), r => r.Verdict == "DROP");
        Assert.Equal("filter/OUTPUT#1", rule.Name);
        Assert.StartsWith(Repo.SpecPath(Spec) + ":", rule.Location, StringComparison.Ordinal);

        var text = string.Join("\n", TraceRenderer.RenderSteps(view));
        Assert.Contains($"  rule:    dropped after NAT: OUTPUT filter/OUTPUT: DROP by filter/OUTPUT#1 `{rule.Text}` at {rule.Location}", text, StringComparison.Ordinal);
        Assert.Contains($"at {rule.Location}", MarkdownRenderer.Render(view), StringComparison.Ordinal);
        Assert.Contains("<span class=\"location\">", HtmlReport.Render(view), StringComparison.Ordinal);
    }

    [Fact]
    public void A_nat_rule_that_set_up_the_binding_is_named_with_its_location()
    {
        var (_, trace, result) = Repo.Witness("specs/rules/nft-two-nat-chains.yaml");
        var rules = new TraceViewBuilder(result.Semantics).Build(trace).Steps.SelectMany(s => s.Rules).ToList();
        Assert.Contains(rules, r => r.Name == "early/post#1" && r.Text.Contains("drop", StringComparison.Ordinal) && r.Location is not null);
        Assert.Contains(rules, r => r.Name == "late/post#1" && r.Text.Contains("masquerade", StringComparison.Ordinal) && r.Location is not null);
    }

    [Fact]
    public void A_trace_recorded_before_chain_decisions_reads_and_replays()
    {
        // Trace format 1 as written before verdict/hook/chain/path: a rules entry with the seven original keys only.
        var (file, _, _) = Repo.Witness(Spec);
        var json = TraceJson.Write(file);
        var old = System.Text.RegularExpressions.Regex.Replace(json, @",\s*""(verdict|hook|chain)"": ""[^""]*""", string.Empty);
        Assert.DoesNotContain("\"verdict\"", old, StringComparison.Ordinal);
        var read = TraceJson.Read(old, "old.json");
        Assert.All(read.Steps.SelectMany(s => s.Rules), r => Assert.Null(r.Verdict));
        var replay = TraceReplayer.Replay(read, "old.json");
        Assert.True(replay.Reproduced, replay.Divergence?.Detail);
    }
}
