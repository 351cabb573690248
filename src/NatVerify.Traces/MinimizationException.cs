namespace NatVerify.Traces;

/// <summary>A trace that cannot be minimised: it is not a violation, or it does not reproduce on its own spec.</summary>
/// <param name="message">Why.</param>
public sealed class MinimizationException(string message) : Exception(message);
