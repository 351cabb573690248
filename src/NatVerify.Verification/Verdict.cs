namespace NatVerify.Verification;

/// <summary>The answer of a check; "not proved" is never "holds".</summary>
public enum Verdict
{
    /// <summary>Every property holds in every reachable state (exhaustive).</summary>
    Holds,

    /// <summary>Some property fails in a reachable state.</summary>
    Violated,

    /// <summary>A bound ended the exploration before it was exhaustive and no violation was found.</summary>
    Inconclusive,
}
