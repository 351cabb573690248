using NatVerify.Model;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>The trace file: deterministic bytes, faithful round trips, clear errors for bad files.</summary>
public class TraceFileTests
{
    [Fact]
    public void The_same_counterexample_saved_twice_gives_byte_identical_files()
    {
        var a = TraceJson.WriteBytes(Repo.Counterexample("specs/seed/race-unconstrained.yaml", KernelMutant.ProbeSeesUnconfirmed));
        var b = TraceJson.WriteBytes(Repo.Counterexample("specs/seed/race-unconstrained.yaml", KernelMutant.ProbeSeesUnconfirmed));
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_trace_read_back_and_written_again_is_byte_identical()
    {
        var bytes = TraceJson.WriteBytes(Repo.Counterexample("specs/seed/client-first.yaml", KernelMutant.NoConfirmClashCheck));
        var again = TraceJson.WriteBytes(TraceJson.Read(System.Text.Encoding.UTF8.GetString(bytes), "t.json"));
        Assert.Equal(bytes, again);
    }

    [Fact]
    public void A_trace_records_every_choice_with_its_successor_index_and_structural_description()
    {
        var trace = Repo.Counterexample("specs/seed/thief-first.yaml", KernelMutant.NoNullBinding);
        Assert.Equal(TraceKind.Violation, trace.Kind);
        Assert.Equal("no-null-binding", trace.Mutant);
        Assert.Equal("linux-6.12", trace.Profile);
        Assert.Equal(SpecEmbedding.Sha256(trace.Spec.Text), trace.Spec.Sha256);
        Assert.All(trace.Steps, s => Assert.InRange(s.Successor, 0, s.Enabled - 1));
        var srcNat = Assert.Single(trace.Steps, s => s.ActorName == "client" && s.Kind == StepKinds.NatSetup && s.Description.StartsWith("POSTROUTING SRC", StringComparison.Ordinal));
        Assert.Equal("POSTROUTING SRC null binding: tcp 198.51.100.1:12345 -> 198.51.100.2:80 => tcp 198.51.100.1:12345 -> 198.51.100.2:80", srcNat.Description);
        Assert.Equal(trace.Steps.Count, trace.Steps.Select((s, i) => s.Number == i + 1).Count(x => x));
    }

    [Fact]
    public void The_reduction_of_the_run_is_recorded_and_a_trace_without_it_reads_as_unreduced()
    {
        var trace = Repo.Counterexample("specs/seed/client-first.yaml", KernelMutant.NoConfirmClashCheck);
        var reduced = trace with { Engine = trace.Engine with { Reduce = "por+sym" } };
        var json = TraceJson.Write(reduced);
        Assert.Contains("\"reduce\": \"por+sym\"", json, StringComparison.Ordinal);
        Assert.Equal("por+sym", TraceJson.Read(json, "t.json").Engine.Reduce);

        var old = json.Replace(",\n    \"reduce\": \"por+sym\"", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("\"reduce\"", old, StringComparison.Ordinal);
        Assert.Equal("none", TraceJson.Read(old, "t.json").Engine.Reduce);

        var e = Assert.Throws<TraceFormatException>(() => TraceJson.Read(json.Replace("\"por+sym\"", "\"fast\"", StringComparison.Ordinal), "t.json"));
        Assert.Contains("$.engine.reduce", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_settings_of_a_reduced_run_name_its_reduction()
    {
        Assert.Equal("none", EngineSettings.Of(new Checker.CheckerOptions()).Reduce);
        Assert.Equal("por", EngineSettings.Of(new Checker.CheckerOptions { PartialOrderReduction = true }).Reduce);
        Assert.Equal("sym", EngineSettings.Of(new Checker.CheckerOptions(), symmetry: true).Reduce);
        Assert.Equal("por+sym", EngineSettings.Of(new Checker.CheckerOptions { PartialOrderReduction = true }, symmetry: true).Reduce);
        Assert.Equal("por+sleep", EngineSettings.Of(new Checker.CheckerOptions { PartialOrderReduction = true, SleepSets = true }).Reduce);
        Assert.Equal("por+sleep+sym", EngineSettings.Of(new Checker.CheckerOptions { PartialOrderReduction = true, SleepSets = true }, symmetry: true).Reduce);
    }

    [Fact]
    public void A_run_with_sleep_sets_records_them_and_reads_back()
    {
        var trace = Repo.Counterexample("specs/seed/client-first.yaml", KernelMutant.NoConfirmClashCheck);
        var json = TraceJson.Write(trace with { Engine = trace.Engine with { Reduce = "por+sleep+sym" } });
        Assert.Equal("por+sleep+sym", TraceJson.Read(json, "t.json").Engine.Reduce);
        json = TraceJson.Write(trace with { Engine = trace.Engine with { Reduce = "por+sleep" } });
        Assert.Equal("por+sleep", TraceJson.Read(json, "t.json").Engine.Reduce);
    }

    [Fact]
    public void A_file_that_is_not_json_is_rejected_with_its_position()
    {
        var e = Assert.Throws<TraceFormatException>(() => TraceJson.Read("{ \"format\": ", "bad.json"));
        Assert.StartsWith("bad.json: 1:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_is_reported_with_its_json_path()
    {
        var json = TraceJson.Write(Repo.Counterexample("specs/seed/client-first.yaml", KernelMutant.NoConfirmClashCheck))
            .Replace("\"actorName\": \"client\",", string.Empty, StringComparison.Ordinal);
        var e = Assert.Throws<TraceFormatException>(() => TraceJson.Read(json, "t.json"));
        Assert.Equal("t.json: $.steps[0]: missing key \"actorName\"", e.Message);
    }

    [Fact]
    public void A_newer_format_version_is_rejected()
    {
        var json = TraceJson.Write(Repo.Counterexample("specs/seed/client-first.yaml", KernelMutant.NoConfirmClashCheck))
            .Replace("\"version\": 1,", "\"version\": 2,", StringComparison.Ordinal);
        var e = Assert.Throws<TraceFormatException>(() => TraceJson.Read(json, "t.json"));
        Assert.Contains("$.version: version 2 is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_embedded_spec_is_rejected_by_its_hash()
    {
        var trace = Repo.Counterexample("specs/seed/client-first.yaml", KernelMutant.NoConfirmClashCheck);
        var edited = trace with { Spec = trace.Spec with { Text = trace.Spec.Text.Replace("54321", "54322", StringComparison.Ordinal) } };
        var e = Assert.Throws<TraceFormatException>(() => TraceReplayer.Replay(edited, "t.json"));
        Assert.Contains("does not match its sha256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_with_a_ruleset_file_is_embedded_self_contained()
    {
        var dir = Repo.TempDir();
        try
        {
            var (seed, _) = Repo.Load("specs/seed/thief-first.yaml");
            File.WriteAllText(Path.Combine(dir, "rules.v4"), seed.RulesetText);
            var text = File.ReadAllText(Repo.SpecPath("specs/seed/thief-first.yaml"));
            var start = text.IndexOf("ruleset: |", StringComparison.Ordinal);
            var end = text.IndexOf("actors:", StringComparison.Ordinal);
            var withFile = text[..start] + "ruleset-file: rules.v4\n" + text[end..];
            var path = Path.Combine(dir, "spec.yaml");
            File.WriteAllText(path, withFile);
            var spec = SpecLoader.LoadFile(path);

            var embedded = SpecEmbedding.Embed(spec, withFile, path);
            File.Delete(Path.Combine(dir, "rules.v4"));

            Assert.DoesNotContain("ruleset-file", embedded.Text, StringComparison.Ordinal);
            var back = SpecEmbedding.Load(embedded, "t.json");
            Assert.Equal(spec.RulesetText, back.RulesetText);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
