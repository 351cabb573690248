using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// A test that drives the real kernel. Where the oracle cannot run (not root, no network namespaces, a tool
/// missing) the test is reported as SKIPPED with the reason, never as passed.
/// </summary>
public sealed class OracleFactAttribute : FactAttribute
{
    public OracleFactAttribute()
    {
        if (OracleEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
