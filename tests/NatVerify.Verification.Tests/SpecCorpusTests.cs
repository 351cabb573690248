using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// Every shipped spec is checked exhaustively (all interleavings of its actors, no bound) and its expectations
/// (verdict, per-actor outcome sets, joint outcomes) must hold; every mutant named in a spec must be killed.
/// </summary>
public class SpecCorpusTests
{
    public static TheoryData<string> Specs => Corpus.All();

    public static TheoryData<string, string> MutantKills()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Corpus.SpecFiles())
        {
            var spec = Specs_.Load(file);
            foreach (var mutant in spec.Expect.Mutants.Keys)
            {
                data.Add(Corpus.Relative(file), mutant);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Shipped_spec_meets_its_expectations_exhaustively(string file)
    {
        var result = Verifier.Check(Corpus.Load(file), new CheckSettings());
        Assert.True(result.Exhaustive);
        Assert.Empty(result.ExpectationFailures);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Bfs_and_dfs_reach_the_same_states_and_outcomes(string file)
    {
        var spec = Corpus.Load(file);
        var bfs = Verifier.Check(spec, new CheckSettings());
        var dfs = Verifier.Check(spec, new CheckSettings { Options = new CheckerOptions { Order = SearchOrder.DepthFirst, StopAtFirstViolation = false } });
        Assert.Equal(bfs.Stats.StatesStored, dfs.Stats.StatesStored);
        Assert.Equal(bfs.Stats.Transitions, dfs.Stats.Transitions);
        Assert.Equal(bfs.Verdict, dfs.Verdict);
        Assert.Equal(
            bfs.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(),
            dfs.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order());
    }

    [Theory]
    [MemberData(nameof(MutantKills))]
    public void Mutant_is_killed_by_the_spec_with_a_replayable_shortest_trace(string file, string mutantName)
    {
        var spec = Corpus.Load(file);
        Assert.True(KernelMutantNames.TryParse(mutantName, out var mutant));
        var property = spec.Expect.Mutants[mutantName];
        var result = Verifier.Check(spec, new CheckSettings { Mutant = mutant, Properties = [property] });
        Assert.Equal(Verdict.Violated, result.Verdict);
        var violation = result.Violation!;
        Assert.Equal(property, violation.Invariant.Id);
        Replays(result.Semantics, violation.Trace);
        Assert.NotNull(new Model.Properties.PropertyCatalog(result.Semantics).Check(property, violation.Trace.Final));
    }

    [Fact]
    public void Every_mutant_is_killed_by_some_shipped_spec()
    {
        var killed = Corpus.SpecFiles().SelectMany(f => Specs_.Load(f).Expect.Mutants.Keys).ToHashSet();
        foreach (var mutant in KernelMutantNames.All)
        {
            Assert.Contains(mutant.CliName(), killed);
        }
    }

    [Theory]
    [InlineData("linux-6.12")]
    [InlineData("linux-5.15")]
    [InlineData("linux-4.19")]
    public void Seed_race_holds_on_every_profile_with_the_same_outcomes(string profile)
    {
        var spec = Corpus.Load("specs/seed/race-unconstrained.yaml");
        var result = Verifier.Check(spec, new CheckSettings { Profile = KernelProfile.Find(profile) });
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Empty(result.ExpectationFailures);
    }

    [Fact]
    public void Every_joint_outcome_has_a_witness_that_replays_to_that_outcome()
    {
        var result = Verifier.Check(Corpus.Load("specs/seed/race-unconstrained.yaml"), new CheckSettings());
        Assert.Equal(3, result.Outcomes.Joint.Count);
        foreach (var joint in result.Outcomes.Joint)
        {
            Replays(result.Semantics, joint.Witness);
            var final = joint.Witness.Final;
            Assert.Equal(joint.Outcomes, Enumerable.Range(0, final.Count).Select(i => result.Semantics.OutcomeOf(final, i)));
        }
    }

    /// <summary>Re-executes the trace's steps: each step must be enabled and lead to the recorded state.</summary>
    private static void Replays(NatSemantics semantics, Trace<NatState, NatStep> trace)
    {
        var state = trace.Initial;
        Assert.Equal(semantics.Initial, state);
        var sink = new List<(NatStep Step, NatState Next)>();
        foreach (var (step, next) in trace.Steps)
        {
            sink.Clear();
            semantics.Successors(state, sink);
            Assert.Contains(sink, s => s.Step.GetType() == step.GetType() && s.Step.Actor == step.Actor && s.Next.Equals(next));
            state = next;
        }
    }

    private static class Specs_
    {
        public static Specs.ScenarioSpec Load(string path) => NatVerify.Specs.SpecLoader.LoadFile(path);
    }
}
