namespace NatVerify.Smt.Induction;

/// <summary>Every obligation's result, and the assumptions the proof rests on.</summary>
public sealed record InductionReport(IReadOnlyList<InductionResult> Results, IReadOnlyList<string> Assumptions)
{
    /// <summary>True when every obligation was proved.</summary>
    public bool AllProved => Results.All(r => r.Outcome is SmtUnsat);
}
