namespace NatVerify.Smt;

/// <summary>The query is satisfiable: the claim fails, and <see cref="Counterexample"/> shows how.</summary>
public sealed record SmtSat(TimeSpan SolveTime, SmtCounterexample Counterexample) : SmtOutcome(SolveTime);
