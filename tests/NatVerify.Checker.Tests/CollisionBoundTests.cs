using NatVerify.Checker;
using Xunit;

namespace NatVerify.Checker.Tests;

/// <summary>The reported fingerprint-collision figure is the birthday bound C(n,2)/2^64 over the stored states.</summary>
public class CollisionBoundTests
{
    [Fact]
    public void Collision_probability_is_the_birthday_bound_over_stored_states_and_ignores_generated_ones()
    {
        // TLC's optimistic estimate would depend on the 10^7 generated states; the birthday bound does not.
        var stats = new ExplorationStats(1_000_000, 10_000_000, 10, 0, TimeSpan.FromSeconds(1), 1024);
        Assert.Equal(1e6 * (1e6 - 1) / 2 / Math.Pow(2, 64), stats.CollisionProbability, 1e-20);
        Assert.Equal(0.0, (stats with { ExactStates = true }).CollisionProbability);
    }
}
