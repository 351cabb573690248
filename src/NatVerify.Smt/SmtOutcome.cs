namespace NatVerify.Smt;

/// <summary>
/// The answer to one solver query, with no solver object in it: unsatisfiable (the claim holds), satisfiable with a
/// decoded counterexample, or unknown with the solver's reason (never to be read as "holds").
/// </summary>
/// <param name="SolveTime">Wall-clock time of the solver's check.</param>
public abstract record SmtOutcome(TimeSpan SolveTime);
