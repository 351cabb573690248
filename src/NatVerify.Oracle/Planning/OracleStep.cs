namespace NatVerify.Oracle.Planning;

/// <summary>One step of an oracle run, carried out to completion before the next starts.</summary>
public abstract record OracleStep;
