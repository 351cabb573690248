using NatVerify.Checker;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>The cluster engine has no reduction: asking for sleep sets or partial-order reduction is refused before any grain is called.</summary>
public sealed class ReductionRefusalTests
{
    [Fact]
    public async Task Cluster_refuses_sleep_sets_with_a_clear_message()
    {
        var checker = new ClusterChecker<int, int>(null!, null!, null!, new CheckerOptions { SleepSets = true }, partitions: 1);
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => checker.RunAsync());
        Assert.Contains("no sleep sets", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_refuses_partial_order_reduction_with_a_clear_message()
    {
        var checker = new ClusterChecker<int, int>(null!, null!, null!, new CheckerOptions { PartialOrderReduction = true }, partitions: 1);
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => checker.RunAsync());
        Assert.Contains("no partial-order reduction", e.Message, StringComparison.Ordinal);
    }
}
