namespace NatVerify.Smt.Runtime;

/// <summary>How to run the finalizer stress.</summary>
/// <param name="Duration">How long the workers run.</param>
/// <param name="Contexts">Worker threads, one context each.</param>
/// <param name="Seed">Seed of the workers' random formulas (printed by callers).</param>
/// <param name="Passthrough">Negative control only: the shim releases at once on the finalizer thread, as a plain stub would (unsound).</param>
public sealed record StressOptions(TimeSpan Duration, int Contexts, int Seed, bool Passthrough = false);
