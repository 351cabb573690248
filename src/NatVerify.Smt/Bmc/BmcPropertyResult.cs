namespace NatVerify.Smt.Bmc;

/// <summary>A property query: unsat (holds up to the bound), sat with a witness and its replay, or unknown.</summary>
public sealed record BmcPropertyResult(string Property, SmtOutcome Outcome, ReplayResult? Replay);
