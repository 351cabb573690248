using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

public sealed class ExplorationStatsTests
{
    [Fact]
    public void Collision_probability_follows_the_birthday_formula_n_times_n_minus_1_over_2_to_the_65()
    {
        ExplorationStats Stats(long n) => new(n, 0, 0, 0, TimeSpan.FromSeconds(2), 0);

        Assert.Equal(0.0, Stats(0).CollisionProbability);
        Assert.Equal(0.0, Stats(1).CollisionProbability);
        Assert.Equal(Math.Pow(2, -64), Stats(2).CollisionProbability);
        Assert.Equal(1e9 * (1e9 - 1) / Math.Pow(2, 65), Stats(1_000_000_000).CollisionProbability, 1e-15);
        Assert.Equal(5e8, Stats(1_000_000_000).StatesPerSecond);
    }

    [Fact]
    public void States_per_second_is_zero_when_no_time_elapsed()
    {
        Assert.Equal(0.0, new ExplorationStats(10, 0, 0, 0, TimeSpan.Zero, 0).StatesPerSecond);
    }
}
