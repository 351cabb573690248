using NatVerify.Model;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>Delta debugging removes what the violation does not need: actors, rules, constraints and steps.</summary>
public class MinimizerTests
{
    [Fact]
    public void Minimising_removes_an_unrelated_flow_its_rule_and_its_constraint()
    {
        var (spec, text) = Repo.Load("specs/seed/race-unconstrained.yaml");
        var noisy = text
            .Replace("  COMMIT", "  -A POSTROUTING -p udp -m mark --mark 0x7 -j SNAT --to-source 198.51.100.1:4000\n  COMMIT", StringComparison.Ordinal)
            .Replace("expect:", "  - name: bystander\n    flow: 198.51.100.1:2000 -> 198.51.100.3:443\n    proto: udp\n    mark: 0x7\norder:\n  - bystander.start < client.start\nexpect:", StringComparison.Ordinal);
        var noisySpec = SpecLoader.Parse(noisy, "noisy.yaml");
        var result = Verification.Verifier.Check(noisySpec, new Verification.CheckSettings { Mutant = KernelMutant.ProbeSeesUnconfirmed, Properties = ["null-binding-identity-when-free"] });
        var source = Repo.Source(noisySpec, noisy, "noisy.yaml", result, new Verification.CheckSettings { Properties = ["null-binding-identity-when-free"] });
        var trace = TraceRecorder.RecordViolation(source, result.Violation!.Trace, "null-binding-identity-when-free");
        Assert.Contains(trace.Steps, s => s.ActorName == "bystander");

        var min = TraceMinimizer.Minimize(trace, "noisy.json").Trace;

        var info = min.Minimization!;
        Assert.Equal(["bystander"], info.RemovedActors);
        Assert.Equal(["-A POSTROUTING -p udp -m mark --mark 0x7 -j SNAT --to-source 198.51.100.1:4000"], info.RemovedRules);
        Assert.Equal(["bystander.start < client.start"], info.RemovedConstraints);
        Assert.DoesNotContain(min.Steps, s => s.ActorName == "bystander");
        Assert.Equal(["thief", "client"], min.Actors);
        Assert.True(min.Steps.Count < trace.Steps.Count);
        Assert.True(TraceReplayer.Replay(min, "min.json").Reproduced);
    }

    [Fact]
    public void Minimising_a_depth_first_trace_drops_the_steps_the_violation_does_not_need()
    {
        var (spec, text) = Repo.Load("specs/seed/race-unconstrained.yaml");
        var settings = new Verification.CheckSettings
        {
            Mutant = KernelMutant.NoConfirmClashCheck,
            Properties = ["linked-tuple-uniqueness"],
            Options = new Checker.CheckerOptions { Order = Checker.SearchOrder.DepthFirst, StopAtFirstViolation = true },
        };
        var result = Verification.Verifier.Check(spec, settings);
        var trace = TraceRecorder.RecordViolation(Repo.Source(spec, text, "race.yaml", result, settings), result.Violation!.Trace, "linked-tuple-uniqueness");

        var min = TraceMinimizer.Minimize(trace, "dfs.json").Trace;

        Assert.Equal("dfs", min.Engine.Search);
        Assert.True(min.Steps.Count <= trace.Steps.Count);
        var bfs = Verification.Verifier.Check(spec, settings with { Options = new Checker.CheckerOptions() });
        Assert.Equal(bfs.Violation!.Trace.Length, min.Steps.Count);
        Assert.True(TraceReplayer.Replay(min, "min.json").Reproduced);
    }

    [Fact]
    public void A_witness_cannot_be_minimised()
    {
        var (file, _, _) = Repo.Witness("specs/seed/race-thief.yaml");
        Assert.Throws<MinimizationException>(() => TraceMinimizer.Minimize(file, "w.json"));
    }
}
