namespace NatVerify.Traces;

/// <summary>Where a replay stopped following the recorded trace, and why, in the user's terms.</summary>
/// <param name="Step">The 1-based step that could not be replayed (one past the last step when only the final state differs).</param>
/// <param name="Detail">What was expected and what the model offers instead.</param>
public sealed record Divergence(int Step, string Detail);
