namespace NatVerify.Reporting;

/// <summary>
/// A rule (or base-chain policy) that decided a packet's fate in a step, with where it came from, so every rendering
/// can point the reader at the line of their ruleset.
/// </summary>
/// <param name="Role">What it did: <c>decided</c> (the NAT target, DROP/REJECT, notrack or policy that ended the
/// hook's rules) or <c>dropped after NAT</c> (a chain after the NAT core dropped the rewritten packet).</param>
/// <param name="Name"><c>TABLE/CHAIN#N</c> or <c>TABLE/CHAIN#policy</c>, as outcomes name it.</param>
/// <param name="Text">The rule's text.</param>
/// <param name="Location"><c>FILE:LINE:COLUMN</c>, with the nft handle when known; null when the rule was built in code.</param>
public sealed record RuleView(string Role, string Name, string Text, string? Location)
{
    /// <summary>What it decided (<c>ACCEPT</c>, <c>DROP</c>, <c>NAT</c>, <c>target DROP</c>, <c>policy ACCEPT</c>, <c>policy DROP</c>, <c>notrack</c>), when known.</summary>
    public string? Verdict { get; init; }

    /// <summary>The hook and base chain it decided, e.g. <c>PREROUTING nat/PREROUTING</c>, when known.</summary>
    public string? Chain { get; init; }

    /// <summary>The jump, goto and RETURN rules the walk took before the decision (names).</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    /// <summary>
    /// What decided, in words: <c>PREROUTING nat/PREROUTING: ACCEPT</c>, or for a policy
    /// <c>POSTROUTING nat/POSTROUTING: policy ACCEPT (no rule matched)</c>; null when the step did not record it.
    /// </summary>
    public string? Summary => Verdict is null ? null
        : Chain is null ? Verdict
        : $"{Chain}: {Verdict}{(!Verdict.StartsWith("policy", StringComparison.Ordinal) ? string.Empty : Path.Count == 0 ? " (no rule matched)" : " (no rule decided)")}";

    /// <summary>The path in words (<c>via A, B</c>), or empty.</summary>
    public string Via => Path.Count == 0 ? string.Empty : $" via {string.Join(", ", Path)}";

    /// <inheritdoc />
    public override string ToString() =>
        $"{Role}: {(Summary is { } s ? s + " by " : string.Empty)}{Name} `{Text}`{(Location is null ? string.Empty : $" at {Location}")}{Via}";
}
