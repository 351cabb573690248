namespace NatVerify.Smt.Runtime;

/// <summary>Whether Z3 is usable in this process, and the shim's counters.</summary>
public static class Z3Shim
{
    /// <summary>Null when Z3 can be used; otherwise what is missing and how to install it.</summary>
    public static string? UnavailableReason => Z3Loader.Failure;

    /// <summary>The shim's counters, or null when no shim is in use (not Linux).</summary>
    public static ShimStatistics? Statistics()
    {
        var v = Z3Loader.Stats();
        return v is null ? null : new ShimStatistics(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }
}
