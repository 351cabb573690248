using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// The explicit engine's replay of a BMC witness: whether it reproduced the witness step by step and its goal,
/// and the trace it took (renderable with <c>TraceRenderer</c>).
/// </summary>
/// <param name="Reproduced">True when every step had a matching successor and the goal held at the end.</param>
/// <param name="Detail">What was confirmed (e.g. the property's message), or where the replay diverged.</param>
/// <param name="Semantics">The semantics of the concrete scenario the replay ran on.</param>
/// <param name="Trace">The steps replayed so far (all of them when reproduced).</param>
public sealed record ReplayResult(bool Reproduced, string Detail, NatSemantics Semantics, Trace<NatState, NatStep> Trace);
