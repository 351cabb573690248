namespace NatVerify.Reporting;

/// <summary>A trace that cannot become a kernel script (e.g. an address outside the documentation ranges).</summary>
/// <param name="message">Why.</param>
public sealed class KernelScriptException(string message) : Exception(message);
