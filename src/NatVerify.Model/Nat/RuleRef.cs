namespace NatVerify.Model.Nat;

/// <summary>A rule or base-chain policy that decided a flow's fate, as outcomes, traces and reports name it.</summary>
/// <param name="Name">Short name used as outcome detail: <c>TABLE/CHAIN#N</c> (1-based rule number in the chain) or <c>TABLE/CHAIN#policy</c>.</param>
/// <param name="Text">The rule's text, or the policy.</param>
/// <param name="Location">Where it came from, when known.</param>
public sealed record RuleRef(string Name, string Text, RuleLocation? Location)
{
    /// <inheritdoc />
    public override string ToString() => Location is null ? $"{Name} '{Text}'" : $"{Name} '{Text}' ({Location})";
}
