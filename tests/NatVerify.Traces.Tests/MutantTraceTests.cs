using NatVerify.Model;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>
/// For every mutant a seed spec kills (its <c>expect.mutants</c>), the counterexample can be saved, replayed
/// byte-identically, and minimised to a trace that still reproduces the violation.
/// </summary>
public class MutantTraceTests
{
    public static TheoryData<string, string> SeedKills()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Repo.SpecFiles().Where(f => f.StartsWith("specs/seed/", StringComparison.Ordinal)))
        {
            foreach (var mutant in SpecLoader.LoadFile(Repo.SpecPath(file)).Expect.Mutants.Keys.Order(StringComparer.Ordinal))
            {
                data.Add(file, mutant);
            }
        }

        return data;
    }

    [Fact]
    public void Every_shipped_mutant_is_killed_by_some_seed_spec()
    {
        var killed = SeedKills().Select(row => (string)row[1]).ToHashSet();
        Assert.All(KernelMutantNames.All, m => Assert.Contains(m.CliName(), killed));
    }

    [Theory]
    [MemberData(nameof(SeedKills))]
    public void A_saved_counterexample_replays_byte_identically_and_reproduces_the_violation(string file, string mutantName)
    {
        Assert.True(KernelMutantNames.TryParse(mutantName, out var mutant));
        var (spec, _) = Repo.Load(file);
        var property = spec.Expect.Mutants[mutantName];
        var saved = TraceJson.WriteBytes(Repo.Counterexample(file, mutant, property));

        var read = TraceJson.Read(System.Text.Encoding.UTF8.GetString(saved), "t.json");
        var replay = TraceReplayer.Replay(read, "t.json");

        Assert.True(replay.Reproduced, replay.Divergence?.Detail);
        Assert.Equal(read.Message, replay.Violation);
        Assert.Equal(read.Steps.Count, replay.FirstViolatingStep);
        Assert.Empty(replay.Notes);
        var source = new TraceSource(read.Spec, replay.Semantics, read.Properties, read.Engine, read.Seed);
        Assert.Equal(saved, TraceJson.WriteBytes(TraceRecorder.RecordViolation(source, replay.Trace, property)));
    }

    [Theory]
    [MemberData(nameof(SeedKills))]
    public void A_minimised_counterexample_still_reproduces_and_is_no_longer(string file, string mutantName)
    {
        Assert.True(KernelMutantNames.TryParse(mutantName, out var mutant));
        var (spec, _) = Repo.Load(file);
        var original = Repo.Counterexample(file, mutant, spec.Expect.Mutants[mutantName]);

        var result = TraceMinimizer.Minimize(original, "t.json");

        var min = result.Trace;
        Assert.NotNull(min.Minimization);
        Assert.Equal(original.Property, min.Property);
        Assert.Equal(original.Mutant, min.Mutant);
        Assert.InRange(min.Steps.Count, 1, original.Steps.Count);
        Assert.True(min.Actors.Count <= original.Actors.Count);
        var replay = TraceReplayer.Replay(TraceJson.Read(TraceJson.Write(min), "min.json"), "min.json");
        Assert.True(replay.Reproduced, replay.Divergence?.Detail);

        // The minimal spec is a ready-made regression spec: checking it under the mutant kills the mutant.
        var minimalSpec = SpecLoader.Parse(result.SpecText, "min.yaml");
        var check = Verification.Verifier.Check(minimalSpec, new Verification.CheckSettings { Mutant = mutant });
        Assert.Contains(original.Property!, check.ViolatedProperties);
        Assert.Empty(check.ExpectationFailures);
    }
}
