namespace NatVerify.Traces;

/// <summary>What a trace file shows.</summary>
public enum TraceKind
{
    /// <summary>A counterexample: the final state violates <see cref="TraceFile.Property"/>.</summary>
    Violation,

    /// <summary>A witness of one joint outcome: every actor ends as <see cref="TraceFile.Outcomes"/> says.</summary>
    Witness,
}
