namespace NatVerify.Smt.Runtime;

/// <summary>What the finalizer stress saw.</summary>
/// <param name="Checks">Solver checks whose answer was verified.</param>
/// <param name="Wrong">Checks with a wrong answer or model.</param>
/// <param name="Errors">Exceptions in workers (first messages in <see cref="Messages"/>).</param>
/// <param name="Collections">Forced garbage collections.</param>
/// <param name="Before">Shim counters before the run (null off Linux).</param>
/// <param name="After">Shim counters after the run and a final collection.</param>
/// <param name="Messages">Up to ten error messages.</param>
public sealed record StressReport(long Checks, long Wrong, long Errors, long Collections, ShimStatistics? Before, ShimStatistics? After, IReadOnlyList<string> Messages);
