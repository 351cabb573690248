namespace NatVerify.Model.Semantics;

/// <summary>How much of each step a successor expansion builds; the successor states and their order never depend on it.</summary>
public enum StepDetail : byte
{
    /// <summary>Every field, with the probes and the chain decisions a trace shows (trace building).</summary>
    Full,

    /// <summary>
    /// Every field but <see cref="Steps.NatStep.Probes"/> and the chain decisions: what partial-order reduction and the
    /// outcome orbits read, without the port search's probe lists and notes.
    /// </summary>
    Lean,

    /// <summary>
    /// No step at all (every step is null): a search that reads no label expands millions of states, and a trace is rebuilt
    /// with <see cref="Full"/> from the successor ordinals it recorded.
    /// </summary>
    None,
}
