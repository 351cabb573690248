namespace NatVerify.Specs;

/// <summary>The overall result a spec expects from checking its properties.</summary>
public enum ExpectedVerdict
{
    /// <summary>Every checked property holds in every reachable state.</summary>
    Holds,

    /// <summary>At least one checked property is violated.</summary>
    Violated,

    /// <summary>The check cannot decide (for example, a bound was hit).</summary>
    Inconclusive,
}
