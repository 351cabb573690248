namespace NatVerify.Smt.Induction;

/// <summary>A counterexample to induction: a table satisfying the invariant and a step that breaks the claim, in words.</summary>
public sealed record InductionCounterexample(IReadOnlyList<string> Lines) : SmtCounterexample
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Describe() => Lines;
}
