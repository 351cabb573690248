namespace NatVerify.Traces;

/// <summary>A minimised counterexample: the trace (embedding the minimal spec) and that spec's YAML text.</summary>
/// <param name="Trace">The minimised trace file.</param>
/// <param name="SpecText">The minimal spec, as embedded in <paramref name="Trace"/>.</param>
public sealed record MinimizationResult(TraceFile Trace, string SpecText);
