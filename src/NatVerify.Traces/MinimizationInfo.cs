namespace NatVerify.Traces;

/// <summary>How a minimised trace was obtained from the trace it was minimised from.</summary>
/// <param name="FromSpecSha256">The SHA-256 of the original trace's embedded spec.</param>
/// <param name="FromSteps">How many steps the original trace had.</param>
/// <param name="RemovedActors">Actors removed from the spec (with the timeouts and order constraints that named them).</param>
/// <param name="RemovedRules">Ruleset lines (<c>-A ...</c>) removed.</param>
/// <param name="RemovedConstraints">Order constraints removed (<c>schedule: sequential</c> counts as one).</param>
/// <param name="Checks">How many candidate specs and traces the engine checked.</param>
public sealed record MinimizationInfo(
    string FromSpecSha256, int FromSteps, IReadOnlyList<string> RemovedActors, IReadOnlyList<string> RemovedRules,
    IReadOnlyList<string> RemovedConstraints, int Checks);
