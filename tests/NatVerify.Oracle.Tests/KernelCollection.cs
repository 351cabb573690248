using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// The tests that drive the kernel run one at a time: they measure timing-sensitive behaviour (connect timeouts,
/// concurrent bursts) and each checks the namespace list before and after.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelCollection
{
    public const string Name = "kernel oracle";
}
