namespace NatVerify.Smt;

/// <summary>A satisfying assignment decoded into the project's own terms.</summary>
public abstract record SmtCounterexample
{
    /// <summary>The counterexample as text lines for people.</summary>
    public abstract IReadOnlyList<string> Describe();
}
