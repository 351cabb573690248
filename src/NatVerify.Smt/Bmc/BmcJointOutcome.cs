using NatVerify.Model.Semantics;

namespace NatVerify.Smt.Bmc;

/// <summary>A joint outcome of terminal states within the bound, with a witness and its replay.</summary>
public sealed record BmcJointOutcome(IReadOnlyList<Outcome> Outcomes, BmcWitness Witness, ReplayResult Replay, TimeSpan SolveTime);
