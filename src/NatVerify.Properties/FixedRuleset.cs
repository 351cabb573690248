using NatVerify.Model.Nat;

namespace NatVerify.Properties;

/// <summary>A user's ruleset that generated cases keep as it is (only actors and schedules vary).</summary>
/// <param name="Ruleset">The parsed ruleset.</param>
/// <param name="Text">Its iptables-save text, for printing counterexamples as specs.</param>
public sealed record FixedRuleset(NatRuleset Ruleset, string Text);
