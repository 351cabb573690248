namespace NatVerify.Traces;

/// <summary>
/// A rule (or base-chain policy) that decided a packet's fate in a recorded step: provenance for the reader, not used
/// to match the step on replay (the description does that).
/// </summary>
/// <param name="Role"><c>decided</c> (the rule or policy that ended a base chain's walk: ACCEPT, DROP/REJECT, a NAT
/// target or the chain's policy; or a notrack rule) or
/// <c>dropped after NAT</c> (a chain after the NAT core dropped the rewritten packet).</param>
/// <param name="Name"><c>TABLE/CHAIN#N</c> or <c>TABLE/CHAIN#policy</c>, as outcomes name it.</param>
/// <param name="Text">The rule's text.</param>
/// <param name="Line">1-based line of the rule in the embedded spec's text (<c>spec.text</c>); null when unknown.</param>
/// <param name="Column">1-based column there; null when unknown.</param>
/// <param name="Handle">The nft rule handle, when the ruleset gave one.</param>
/// <param name="JsonIndex">The rule's index in the <c>nftables</c> array, when the ruleset was nft JSON.</param>
public sealed record TraceRule(string Role, string Name, string Text, int? Line, int? Column, long? Handle, int? JsonIndex)
{
    /// <summary>
    /// What the rule decided: <c>ACCEPT</c>, <c>DROP</c>, <c>NAT</c>, <c>target DROP</c>, <c>policy ACCEPT</c>,
    /// <c>policy DROP</c> or <c>notrack</c>; null in traces written before it was recorded.
    /// </summary>
    public string? Verdict { get; init; }

    /// <summary>The hook of the base chain it decided (<c>PREROUTING</c> ... <c>POSTROUTING</c>), when known.</summary>
    public string? Hook { get; init; }

    /// <summary>The base chain it decided, <c>TABLE/CHAIN</c>, when known.</summary>
    public string? Chain { get; init; }

    /// <summary>The jump, goto and RETURN rules the walk took before the decision (names), when any.</summary>
    public IReadOnlyList<string>? Path { get; init; }

    /// <inheritdoc />
    public bool Equals(TraceRule? other) => other is not null && Role == other.Role && Name == other.Name && Text == other.Text
        && Line == other.Line && Column == other.Column && Handle == other.Handle && JsonIndex == other.JsonIndex
        && Verdict == other.Verdict && Hook == other.Hook && Chain == other.Chain
        && (Path ?? []).SequenceEqual(other.Path ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Role, Name, Text, Line, Column, Verdict, Chain);
}
