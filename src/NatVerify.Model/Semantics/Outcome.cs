using NatVerify.Model.Scenario;

namespace NatVerify.Model.Semantics;

/// <summary>An actor's outcome in a terminal state, with an optional detail (e.g. the port class of a rewrite).</summary>
public readonly record struct Outcome(OutcomeKind Kind, string? Detail)
{
    /// <summary>True when a spec pattern (<c>kind</c> or <c>kind:detail</c>) accepts this outcome.</summary>
    public bool MatchesPattern(string pattern)
    {
        var colon = pattern.IndexOf(':');
        var kindText = colon < 0 ? pattern : pattern[..colon];
        if (!OutcomeNames.TryParse(kindText, out var kind) || kind != Kind)
        {
            return false;
        }

        return colon < 0 || string.Equals(pattern[(colon + 1)..], Detail, StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public override string ToString() => Detail is null ? Kind.CliName() : $"{Kind.CliName()}:{Detail}";
}
