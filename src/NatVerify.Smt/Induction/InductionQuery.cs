namespace NatVerify.Smt.Induction;

/// <summary>One obligation of the inductive proof.</summary>
/// <param name="Id">Stable id, e.g. <c>confirm-preserves-uniqueness</c>.</param>
/// <param name="Claim">The claim in words.</param>
/// <param name="KernelFunctions">The kernel functions the step models.</param>
public sealed record InductionQuery(string Id, string Claim, string KernelFunctions);
