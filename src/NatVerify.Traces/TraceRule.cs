namespace NatVerify.Traces;

/// <summary>
/// A rule (or base-chain policy) that decided a packet's fate in a recorded step: provenance for the reader, not used
/// to match the step on replay (the description does that).
/// </summary>
/// <param name="Role"><c>decided</c> (the NAT target, DROP/REJECT, notrack or policy that ended the hook's rules) or
/// <c>dropped after NAT</c> (a chain after the NAT core dropped the rewritten packet).</param>
/// <param name="Name"><c>TABLE/CHAIN#N</c> or <c>TABLE/CHAIN#policy</c>, as outcomes name it.</param>
/// <param name="Text">The rule's text.</param>
/// <param name="Line">1-based line of the rule in the embedded spec's text (<c>spec.text</c>); null when unknown.</param>
/// <param name="Column">1-based column there; null when unknown.</param>
/// <param name="Handle">The nft rule handle, when the ruleset gave one.</param>
/// <param name="JsonIndex">The rule's index in the <c>nftables</c> array, when the ruleset was nft JSON.</param>
public sealed record TraceRule(string Role, string Name, string Text, int? Line, int? Column, long? Handle, int? JsonIndex);
