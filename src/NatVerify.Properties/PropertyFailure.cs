namespace NatVerify.Properties;

/// <summary>The first failing case of a property run, shrunk.</summary>
/// <param name="CaseIndex">Which case of the run failed (0-based).</param>
/// <param name="CaseSeed">The seed of that case: running with this seed makes it case 0.</param>
/// <param name="OriginalMessage">Why the case as generated failed.</param>
/// <param name="Message">Why the shrunk case fails.</param>
/// <param name="OriginalSize">The size of the case as generated.</param>
/// <param name="ShrunkSize">The size of the shrunk case.</param>
/// <param name="Counterexample">The shrunk case, printed.</param>
/// <param name="ShrinkSteps">How many shrinks were accepted.</param>
/// <param name="Shrunk">The shrunk case itself, for callers that print more than <paramref name="Counterexample"/>.</param>
public sealed record PropertyFailure(
    int CaseIndex,
    ulong CaseSeed,
    string OriginalMessage,
    string Message,
    string OriginalSize,
    string ShrunkSize,
    string Counterexample,
    int ShrinkSteps,
    object? Shrunk);
