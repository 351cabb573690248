namespace NatVerify.Model.Nat;

/// <summary>
/// One rule of any table (the name is historical: it first held only nat rules): its match, the non-terminal
/// statements it runs when it matches, and its target, with the text and line it came from for reports.
/// </summary>
public sealed record NatRule(RuleMatch Match, RuleTarget Target, string Text, int Line)
{
    /// <summary>Statements run in order when the rule matches, before <see cref="Target"/> (MARK, CONNMARK, notrack, counter...).</summary>
    public IReadOnlyList<RuleStatement> Statements { get; init; } = [];

    /// <summary>Where the rule came from; null for rules built in code (then <see cref="Line"/> alone).</summary>
    public RuleLocation? Location { get; init; }
}

/// <summary>A chain of one table; built-in (base) chains have a policy (see <see cref="BaseChain"/>).</summary>
public sealed record NatChain(string Name, bool BuiltIn, IReadOnlyList<NatRule> Rules);
