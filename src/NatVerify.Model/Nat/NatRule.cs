namespace NatVerify.Model.Nat;

/// <summary>One rule of a nat chain, with the text and line it came from for reports.</summary>
public sealed record NatRule(RuleMatch Match, RuleTarget Target, string Text, int Line);

/// <summary>A chain of the nat table; built-in chains have a policy (always ACCEPT for nat).</summary>
public sealed record NatChain(string Name, bool BuiltIn, IReadOnlyList<NatRule> Rules);
