using NatVerify.Model;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>Replay reports the first divergence precisely when the model or the spec changed.</summary>
public class ReplayTests
{
    [Fact]
    public void Replaying_a_mutant_trace_on_the_real_kernel_reports_the_step_that_diverges()
    {
        var trace = Repo.Counterexample("specs/seed/race-unconstrained.yaml", KernelMutant.ProbeSeesUnconfirmed, "null-binding-identity-when-free");

        var replay = TraceReplayer.Replay(trace, "t.json", new ReplayOptions { Mutant = KernelMutant.None });

        var d = Assert.IsType<Divergence>(replay.Divergence);
        var last = trace.Steps[^1];
        Assert.Equal(last.Number, d.Step);
        Assert.Equal(
            $"step {last.Number}: expected client nat-setup \"{last.Description}\", but the model now offers client: nat-setup \"POSTROUTING SRC null binding: tcp 198.51.100.1:12345 -> 198.51.100.2:80 => tcp 198.51.100.1:12345 -> 198.51.100.2:80\"",
            d.Detail);
        Assert.False(replay.Reproduced);
        Assert.Equal(last.Number - 1, replay.Trace.Length);
    }

    [Fact]
    public void Replaying_against_a_spec_without_an_actor_names_the_missing_actor()
    {
        var trace = Repo.Counterexample("specs/seed/client-first.yaml", KernelMutant.NoConfirmClashCheck);
        var (spec, _) = Repo.Load("specs/seed/client-first.yaml");
        var text = SpecWriter.Write(SpecDraft.From(spec).WithoutActors(new HashSet<string> { "thief" }));

        var replay = TraceReplayer.Replay(trace, "t.json", new ReplayOptions { Spec = SpecLoader.Parse(text, "edited.yaml") });

        var d = Assert.IsType<Divergence>(replay.Divergence);
        var first = trace.Steps.First(s => s.ActorName == "thief");
        Assert.Equal(first.Number, d.Step);
        Assert.Contains("but the spec has no actor 'thief' (actors: client)", d.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Replaying_under_a_constraint_that_blocks_an_actor_says_what_is_enabled_instead()
    {
        var trace = Repo.Counterexample("specs/seed/race-unconstrained.yaml", KernelMutant.ProbeSeesUnconfirmed, "null-binding-identity-when-free");
        var (spec, text) = Repo.Load("specs/seed/race-unconstrained.yaml");
        var constrained = SpecLoader.Parse(text.Replace("expect:", "order:\n  - client.confirm < thief.start\nexpect:", StringComparison.Ordinal), "constrained.yaml");

        var replay = TraceReplayer.Replay(trace, "t.json", new ReplayOptions { Spec = constrained });

        var d = Assert.IsType<Divergence>(replay.Divergence);
        Assert.Equal(1, d.Step);
        Assert.Contains("thief has no enabled step here (its order constraints or the schedule hold it back); enabled: client conntrack-in", d.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_witness_replays_to_its_recorded_outcomes()
    {
        var (file, _, _) = Repo.Witness("specs/seed/race-thief.yaml");
        var replay = TraceReplayer.Replay(file, "w.json");
        Assert.True(replay.Reproduced);
        Assert.Null(replay.Violation);
        Assert.Equal(["client: rewritten:1024-65535", "thief: nat"], file.Outcomes.Select(o => $"{o.Actor}: {o.Outcome}"));
    }
}
