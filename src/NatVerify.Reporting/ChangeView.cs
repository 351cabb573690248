namespace NatVerify.Reporting;

/// <summary>One line of a step's diff.</summary>
/// <param name="Kind">Added, altered, removed, or a private change.</param>
/// <param name="Actor">The actor whose entry changed.</param>
/// <param name="Text">The change: a <c>conntrack -L</c> line for table changes, a description for private ones.</param>
public sealed record ChangeView(ChangeKind Kind, string Actor, string Text)
{
    /// <summary>The diff marker: <c>+</c>, <c>~</c>, <c>-</c>, or <c>*</c> for private changes.</summary>
    public char Marker => Kind switch
    {
        ChangeKind.Added => '+',
        ChangeKind.Altered => '~',
        ChangeKind.Removed => '-',
        _ => '*',
    };

    /// <inheritdoc />
    public override string ToString() => $"{Marker} {Text}";
}
