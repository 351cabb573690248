namespace NatVerify.Smt.Bmc;

/// <summary>The scenario uses a feature outside the subset the bounded model checker encodes (docs/smt.md).</summary>
public sealed class BmcUnsupportedException(string message) : Exception(message);
