using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// Without <see cref="CheckerOptions.StopAtFirstViolation"/> the engine checks every invariant in every stored state
/// (TLC's -continue): each violated invariant is reported with its own counterexample, the shortest one under
/// breadth-first search (one or two workers), whichever invariant fails first. Over the whole DieHard state space.
/// </summary>
public sealed class ContinueAfterViolationTests
{
    // Reached after 4 steps (fill big, pour into small, empty small, pour again): found before BigNotFour (6 steps).
    private static Invariant<(int Small, int Big)> SmallNotTwo { get; } =
        new("small-not-two", "the small jug never holds 2", s => s.Small == 2 ? "small jug holds 2" : null);

    public static TheoryData<int> Workers => new() { 1, 2 };

    [Theory]
    [MemberData(nameof(Workers))]
    public void Every_invariant_is_checked_after_the_first_violation_with_its_own_shortest_trace(int workers)
    {
        var system = new DieHard();
        var options = Checks.Bfs with { StopAtFirstViolation = false, Workers = workers };
        var both = Checks.AssertViolated(Checks.Run(system, system, options, invariants: [SmallNotTwo, DieHard.BigNotFour]));
        Assert.Equal(["small-not-two", "big-not-4"], both.Violations.Select(v => v.Invariant.Id));
        Assert.Equal("small-not-two", both.Invariant.Id);

        foreach (var violation in both.Violations)
        {
            // The shortest trace is the one a run with this invariant alone finds.
            var alone = Checks.AssertViolated(Checks.Run(system, system, Checks.Bfs, invariants: violation.Invariant));
            Assert.Equal(alone.Trace.Length, violation.Trace.Length);
            Assert.NotNull(violation.Invariant.Check(violation.Trace.Final));
        }

        Assert.Equal(4, both.Violations[0].Trace.Length);
        Assert.Equal(6, both.Violations[1].Trace.Length);
    }

    [Fact]
    public void Depth_first_search_also_reports_every_violated_invariant()
    {
        var system = new DieHard();
        var options = Checks.Dfs with { StopAtFirstViolation = false };
        var both = Checks.AssertViolated(Checks.Run(system, system, options, invariants: [DieHard.BigNotFour, SmallNotTwo]));
        Assert.Equal(["big-not-4", "small-not-two"], both.Violations.Select(v => v.Invariant.Id));
        Assert.All(both.Violations, v => Assert.NotNull(v.Invariant.Check(v.Trace.Final)));
    }

    [Theory]
    [MemberData(nameof(Workers))]
    public void Stopping_at_the_first_violation_reports_only_what_fails_in_that_state(int workers)
    {
        var system = new DieHard();
        var options = Checks.Bfs with { Workers = workers };
        var first = Checks.AssertViolated(Checks.Run(system, system, options, invariants: [DieHard.BigNotFour, SmallNotTwo]));
        Assert.Equal("small-not-two", Assert.Single(first.Violations).Invariant.Id);
    }
}
