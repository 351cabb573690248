using NatVerify.Checker;
using NatVerify.Cluster.Nat;
using NatVerify.Specs;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>
/// The distributed search on three in-process silos gives what the single-machine breadth-first search gives on every
/// shipped scenario spec (exhaustive, no partial-order reduction): the same stored-state, transition and terminal
/// counts and depth, the same verdict and violated properties, the same joint outcomes with the same counts, a
/// counterexample of the same (shortest) length for every violated property, and the same expectation failures.
/// </summary>
public sealed class ClusterEquivalenceTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Cluster_check_equals_single_machine_check(string relative)
    {
        await AssertSameAsSingleMachine(relative, partitions: 5, new CheckSettings());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task Partition_count_does_not_change_the_result(int partitions)
    {
        await AssertSameAsSingleMachine("specs/seed/race-unconstrained.yaml", partitions, new CheckSettings());
    }

    [Fact]
    public async Task Mutant_counterexample_is_as_short_as_on_one_machine()
    {
        var settings = new CheckSettings { Mutant = Model.KernelMutant.NoConfirmClashCheck };
        var cluster = await AssertSameAsSingleMachine("specs/seed/race-unconstrained.yaml", 4, settings);
        Assert.Equal(Verdict.Violated, cluster.Verdict);
    }

    [Fact]
    public async Task Max_states_below_the_reachable_count_is_inconclusive_never_holds()
    {
        var text = Specs.Text("specs/seed/race-unconstrained.yaml");
        var full = Verifier.Check(SpecLoader.Parse(text, "race"), new CheckSettings());
        var settings = new CheckSettings { Options = new CheckerOptions { StopAtFirstViolation = false, MaxStates = full.Stats.StatesStored / 2 } };
        var run = await ClusterVerifier.CheckAsync(fixture.Cluster.Client, "race", text, settings, 3);
        Assert.Equal(Verdict.Inconclusive, run.Result.Verdict);
        Assert.Equal(BoundKind.MaxStates, run.Result.Inconclusive!.Bound);
    }

    public static TheoryData<string> Scenarios() => Specs.Scenarios();

    private async Task<VerificationResult> AssertSameAsSingleMachine(string relative, int partitions, CheckSettings settings)
    {
        var text = Specs.Text(relative);
        var local = Verifier.Check(SpecLoader.Parse(text, relative), settings);
        var run = await ClusterVerifier.CheckAsync(fixture.Cluster.Client, relative, text, settings, partitions);
        var cluster = run.Result;

        Assert.Equal(local.Verdict, cluster.Verdict);
        Assert.Equal(local.Stats.StatesStored, cluster.Stats.StatesStored);
        Assert.Equal(local.Stats.Transitions, cluster.Stats.Transitions);
        Assert.Equal(local.Stats.TerminalStates, cluster.Stats.TerminalStates);
        Assert.Equal(local.Stats.MaxDepthReached, cluster.Stats.MaxDepthReached);
        Assert.Equal(local.ViolatedProperties, cluster.ViolatedProperties);
        Assert.Equal(
            local.Violations.Select(v => (v.Invariant.Id, v.Trace.Length)).OrderBy(x => x.Id, StringComparer.Ordinal),
            cluster.Violations.Select(v => (v.Invariant.Id, v.Trace.Length)).OrderBy(x => x.Id, StringComparer.Ordinal));
        Assert.Equal(Joint(local), Joint(cluster));
        Assert.Equal(local.ExpectationFailures.Order(StringComparer.Ordinal), cluster.ExpectationFailures.Order(StringComparer.Ordinal));

        // A violation's trace must really end in a violating state, as a replay through the model checks.
        foreach (var v in cluster.Violations)
        {
            Assert.NotNull(v.Invariant.Check(v.Trace.Final));
        }

        Assert.Equal(partitions, run.Cluster.Partitions);
        return cluster;
    }

    private static List<string> Joint(VerificationResult r) =>
        r.Outcomes.Joint.Select(j => $"{string.Join("|", j.Outcomes)} x{j.TerminalStates} @{j.Witness.Length}").Order(StringComparer.Ordinal).ToList();
}
