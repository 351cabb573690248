using NatVerify.Model.Semantics;

namespace NatVerify.Traces;

/// <summary>Where a trace comes from: the embedded spec, the semantics it was explored under, and the run's settings.</summary>
/// <param name="Spec">The embedded spec.</param>
/// <param name="Semantics">The semantics (scenario, profile, mutant) the trace runs in.</param>
/// <param name="Properties">The properties that were checked.</param>
/// <param name="Engine">The engine settings of the run.</param>
/// <param name="Seed">The seed of a random run; null for exhaustive runs.</param>
public sealed record TraceSource(EmbeddedSpec Spec, NatSemantics Semantics, IReadOnlyList<string> Properties, EngineSettings Engine, ulong? Seed = null);
