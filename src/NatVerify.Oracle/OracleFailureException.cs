namespace NatVerify.Oracle;

/// <summary>Setting up or driving the kernel failed (a command failed, an agent did not answer).</summary>
public sealed class OracleFailureException(string message) : Exception(message);
