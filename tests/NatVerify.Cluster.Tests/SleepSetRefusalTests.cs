using NatVerify.Checker;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>The cluster engine has no sleep sets: asking for them is refused before any grain is called.</summary>
public sealed class SleepSetRefusalTests
{
    [Fact]
    public async Task Cluster_refuses_sleep_sets_with_a_clear_message()
    {
        var checker = new ClusterChecker<int, int>(null!, null!, null!, new CheckerOptions { SleepSets = true }, partitions: 1);
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => checker.RunAsync());
        Assert.Contains("no sleep sets", e.Message, StringComparison.Ordinal);
    }
}
