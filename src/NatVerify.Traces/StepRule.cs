using NatVerify.Model.Nat;

namespace NatVerify.Traces;

/// <summary>A rule (or policy) a step names, with what it did (<see cref="TraceRecorder.DecidingRules"/>).</summary>
/// <param name="Role"><c>decided</c> or <c>dropped after NAT</c>.</param>
/// <param name="Rule">The rule or policy, with its location.</param>
/// <param name="Verdict">What it decided (<c>ACCEPT</c>, <c>DROP</c>, <c>NAT</c>, <c>target DROP</c>, <c>policy ACCEPT</c>,
/// <c>policy DROP</c>, <c>notrack</c>); null when the step did not record it (a step computed without diagnostics).</param>
/// <param name="Decision">The base chain's decision it ended, when the step recorded one.</param>
public sealed record StepRule(string Role, RuleRef Rule, string? Verdict, ChainDecision? Decision);
