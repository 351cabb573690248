using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>A theory that drives the real kernel; skipped (with the reason) where the oracle cannot run, never passed.</summary>
public sealed class OracleTheoryAttribute : TheoryAttribute
{
    public OracleTheoryAttribute()
    {
        if (OracleEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
