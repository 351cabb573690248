namespace NatVerify.Smt;

/// <summary>The solver gave up (timeout, resource limit, incompleteness): nothing is proved.</summary>
public sealed record SmtUnknown(TimeSpan SolveTime, string Reason) : SmtOutcome(SolveTime);
