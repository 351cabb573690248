namespace NatVerify.Smt;

/// <summary>Z3 cannot be used in this process (library or shim missing); the message says how to install it.</summary>
public sealed class SmtUnavailableException(string message) : Exception(message);
