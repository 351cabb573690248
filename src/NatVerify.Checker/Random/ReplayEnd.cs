namespace NatVerify.Checker.Random;

/// <summary>Why a replayed or random schedule stopped.</summary>
public enum ReplayEnd
{
    /// <summary>A state without successors was reached.</summary>
    Terminal,

    /// <summary>An invariant failed in the last state.</summary>
    Violation,

    /// <summary>The step limit was reached first.</summary>
    MaxSteps,
}
