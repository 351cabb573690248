namespace NatVerify.Oracle;

/// <summary>The scenario cannot be reproduced on a real kernel as written (e.g. an ordering only a race could produce).</summary>
public sealed class UnsupportedScenarioException(string message) : Exception(message);
