using NatVerify.Model.Nat;

namespace NatVerify.Smt.Encoding;

/// <summary>A rule whose target initialises the manip, with the range it passes to <c>nf_nat_setup_info</c>.</summary>
internal sealed record RuleVerdict(NatRule Rule, NatRange Range);
