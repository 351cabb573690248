namespace NatVerify.Oracle;

/// <summary>The oracle cannot run on this machine (not root, no network namespaces, a missing tool).</summary>
public sealed class OracleUnavailableException(string message) : Exception(message);
