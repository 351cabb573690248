using Xunit;

namespace NatVerify.Traces.Tests;

public class DeltaDebuggerTests
{
    [Fact]
    public void Ddmin_finds_the_only_failure_inducing_pair()
    {
        var tests = 0;
        var items = Enumerable.Range(0, 20).ToList();
        var result = DeltaDebugger.Minimize(items, c => c.Contains(3) && c.Contains(17), ref tests);
        Assert.Equal([3, 17], result);
        Assert.InRange(tests, 1, 200);
    }

    [Fact]
    public void Ddmin_result_is_one_minimal_for_a_monotone_threshold()
    {
        var tests = 0;
        var items = Enumerable.Range(1, 12).ToList();
        var result = DeltaDebugger.Minimize(items, c => c.Sum() >= 30, ref tests);
        Assert.True(result.Sum() >= 30);
        foreach (var x in result)
        {
            Assert.False(result.Where(y => y != x).Sum() >= 30, $"removing {x} still fails: not 1-minimal");
        }
    }

    [Fact]
    public void Ddmin_returns_nothing_when_the_failure_needs_nothing()
    {
        var tests = 0;
        Assert.Empty(DeltaDebugger.Minimize([1, 2, 3], _ => true, ref tests));
    }
}
