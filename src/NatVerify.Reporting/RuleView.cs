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
    /// <inheritdoc />
    public override string ToString() => Location is null ? $"{Role}: {Name} `{Text}`" : $"{Role}: {Name} `{Text}` at {Location}";
}
