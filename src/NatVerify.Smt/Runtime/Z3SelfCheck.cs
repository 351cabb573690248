namespace NatVerify.Smt.Runtime;

/// <summary>One self-check of the Z3 runtime and its outcome.</summary>
public sealed record Z3SelfCheck(string Name, bool Passed, string Detail);
