using NatVerify.Oracle.Kernel;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>conntrack -S counters: per-CPU lines summed, and deltas between two readings.</summary>
public class KernelCountersTests
{
    private const string Before = """
        cpu=0   	found=0 invalid=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0
        cpu=1   	found=2 invalid=1 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0
        """;

    private const string After = """
        cpu=0   	found=1 invalid=0 insert=1 insert_failed=1 drop=1 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0
        cpu=1   	found=2 invalid=1 insert=0 insert_failed=1 drop=1 early_drop=0 error=0 search_restart=0 clash_resolve=1 chaintoolong=0
        """;

    [Fact]
    public void Counters_are_summed_over_cpus()
    {
        var after = KernelCounters.Parse(After);
        Assert.Equal(2, after["insert_failed"]);
        Assert.Equal(3, after["found"]);
        Assert.Equal(0, after["no_such_counter"]);
    }

    [Fact]
    public void Delta_is_after_minus_before_per_counter()
    {
        var delta = KernelCounters.Delta(KernelCounters.Parse(Before), KernelCounters.Parse(After));
        Assert.Equal(1, delta["found"]);
        Assert.Equal(0, delta["invalid"]);
        Assert.Equal(2, delta["drop"]);
        Assert.Equal(1, delta["clash_resolve"]);
        Assert.Equal("clash_resolve=1 drop=2 found=1 insert=1 insert_failed=2", delta.ToString());
    }
}
