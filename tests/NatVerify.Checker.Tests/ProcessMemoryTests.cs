using System.Runtime.InteropServices;
using Xunit;

namespace NatVerify.Checker.Tests;

/// <summary>What the memory bound measures (the process's resident memory) and how the default bound is derived.</summary>
public sealed class ProcessMemoryTests
{
    [Fact]
    public void Resident_memory_counts_native_allocations_that_the_managed_heap_does_not_see()
    {
        const int size = 256 << 20;
        var block = Marshal.AllocHGlobal(size);
        try
        {
            // Touch every page so that it is resident.
            for (var i = 0; i < size; i += 4096)
            {
                Marshal.WriteByte(block, i, 1);
            }

            // GC.GetTotalMemory, the old measure, does not count this block at all.
            var resident = ProcessMemory.ResidentBytes();
            Assert.True(resident >= size, $"resident {resident} < {size} while {size} native bytes are touched");
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    [Fact]
    public void MemAvailable_is_read_in_kibibytes_and_other_lines_are_ignored()
    {
        string[] meminfo = ["MemTotal:       24000000 kB", "MemFree:          100000 kB", "MemAvailable:   2000000 kB", "Buffers: 5 kB"];
        Assert.Equal(2000000L * 1024, ProcessMemory.ParseMemAvailable(meminfo));
        Assert.Null(ProcessMemory.ParseMemAvailable(["MemTotal: 1 kB"]));
        Assert.Null(ProcessMemory.ParseMemAvailable(["MemAvailable: lots kB"]));
    }

    [Theory]
    [InlineData("max\n", null)]
    [InlineData("9223372036854771712\n", null)]
    [InlineData("4294967296\n", 4294967296L)]
    [InlineData("garbage", null)]
    public void Cgroup_limits_read_max_and_the_v1_sentinel_as_no_limit(string text, long? expected) =>
        Assert.Equal(expected, ProcessMemory.ParseLimit(text));

    [Fact]
    public void The_default_bound_is_three_quarters_of_the_available_memory_and_says_where_that_came_from()
    {
        var bound = ProcessMemory.DefaultBound(new MemorySource(8L << 30, "the cgroup limit memory.max"))!;
        Assert.Equal(6L << 30, bound.Bytes);
        Assert.True(bound.IsDefault);
        Assert.Equal("6,144 MiB resident (default: 75% of 8,192 MiB, the cgroup limit memory.max)", bound.Describe());
        Assert.Null(ProcessMemory.DefaultBound(null));
    }

    [Fact]
    public void A_user_bound_overrides_the_default()
    {
        var bound = ProcessMemory.Choose(100L << 20)!;
        Assert.False(bound.IsDefault);
        Assert.Equal(100L << 20, bound.Bytes);
        Assert.Equal("100 MiB resident (--max-memory)", bound.Describe());
    }
}
