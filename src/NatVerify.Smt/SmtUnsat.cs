namespace NatVerify.Smt;

/// <summary>The query is unsatisfiable: the claim holds (for every value, interleaving or table it covers).</summary>
public sealed record SmtUnsat(TimeSpan SolveTime) : SmtOutcome(SolveTime);
