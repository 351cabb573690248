namespace NatVerify.Model.Nat;

/// <summary>
/// Where a rule (or chain, or table) came from, so every report can point at it: the file and 1-based line and
/// column; for <c>nft -j list ruleset</c> input also the rule's <c>handle</c> and its index in the <c>nftables</c> array.
/// </summary>
public sealed record RuleLocation(string File, int Line, int Column = 1)
{
    /// <summary>The nft rule handle (nft JSON and <c>nft -a</c> text), when known.</summary>
    public long? Handle { get; init; }

    /// <summary>The index of the object in the JSON <c>nftables</c> array, when the input was nft JSON.</summary>
    public int? JsonIndex { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        Handle is { } h ? $"{File}:{Line}:{Column} (handle {h})" : $"{File}:{Line}:{Column}";
}
