using NatVerify.Checker;
using NatVerify.Cluster.Nat;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>A silo that dies mid-run takes its partitions' visited sets with it; the run must end inconclusive, never HOLDS.</summary>
public sealed class PartitionFailureTests
{
    [Fact]
    public async Task Killing_a_silo_mid_run_ends_inconclusive_with_the_node_lost_bound_naming_the_partition()
    {
        await using var cluster = ClusterFixture.Build(3);
        await cluster.DeployAsync();
        var job = NatJob.Of("race", Specs.Text("specs/seed/race-unconstrained.yaml"), new CheckSettings());
        var (_, _, model) = job.Load();
        var levels = 0;
        string? killed = null;
        ClusterChecker<NatState, NatStep>? checker = null;
        checker = new ClusterChecker<NatState, NatStep>(cluster.Client, model, job.ToModelJob(), new CheckerOptions { StopAtFirstViolation = false }, 6, _ =>
        {
            // Between levels 3 and 4: kill (not stop) a secondary silo that hosts at least one partition.
            if (++levels == 4)
            {
                var victim = cluster.SecondarySilos.First(s => checker!.SiloOfPartition.Contains(s.SiloAddress.ToString()));
                killed = victim.SiloAddress.ToString();
                cluster.KillSiloAsync(victim).GetAwaiter().GetResult();
            }
        });

        var run = await checker.RunAsync();

        Assert.NotNull(killed);
        var inconclusive = Assert.IsType<Inconclusive<NatState, NatStep>>(run.Result);
        Assert.Equal(BoundKind.NodeLost, inconclusive.Bound);
        Assert.NotNull(run.LostPartition);
        Assert.StartsWith($"partition {run.LostPartition} on silo ", inconclusive.Detail, StringComparison.Ordinal);
        Assert.Contains("states may have been lost and nothing is proved", inconclusive.Detail, StringComparison.Ordinal);
    }
}
