using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Cluster.Nat;

/// <summary>A NAT check run on the cluster: the same <see cref="VerificationResult"/> as <see cref="Verifier.Check"/>, plus what the cluster did.</summary>
/// <param name="Result">The verdict, statistics, outcome sets and expectation failures.</param>
/// <param name="Cluster">Partitions, silos and message volume.</param>
public sealed record ClusterVerification(VerificationResult Result, ClusterRunStats Cluster);

/// <summary>Checks a scenario spec on an Orleans cluster of partition grains (docs/distributed.md).</summary>
public static class ClusterVerifier
{
    /// <summary>
    /// Explores the spec on <paramref name="partitions"/> partitions. The partitions load the spec from its text; this
    /// process loads it too, to replay counterexamples and witnesses and judge expectations.
    /// </summary>
    public static async Task<ClusterVerification> CheckAsync(
        IGrainFactory grains, string specName, string specText, CheckSettings settings, int partitions,
        Action<ExplorationStats>? progress = null, CancellationToken cancellationToken = default)
    {
        var job = NatJob.Of(specName, specText, settings);
        var (spec, semantics, model) = job.Load();
        var checker = new ClusterChecker<NatState, NatStep>(grains, model, job.ToModelJob(), settings.Options, partitions, progress);
        var run = await checker.RunAsync(cancellationToken);
        return new ClusterVerification(Build(spec, semantics, run), run.Cluster);
    }

    private static VerificationResult Build(ScenarioSpec spec, NatSemantics semantics, ClusterCheckResult<NatState, NatStep> run)
    {
        var result = run.Result;
        var outcomes = new OutcomeSet { Actors = spec.Model.Actors.Select(a => a.Name).ToList() };
        foreach (var terminal in run.Terminals)
        {
            var final = terminal.Witness.Final;
            var list = Enumerable.Range(0, final.Count).Select(i => semantics.OutcomeOf(final, i)).ToList();
            outcomes.Add(list, () => terminal.Witness, terminal.Count);
        }

        return Verifier.Report(spec, semantics, result, outcomes);
    }
}
