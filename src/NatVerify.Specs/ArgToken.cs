namespace NatVerify.Specs;

/// <summary>One whitespace-separated argument of an iptables rule line or a conntrack command.</summary>
/// <param name="Text">The argument with quotes removed and escapes resolved.</param>
/// <param name="Offset">0-based offset of the argument's first character in its line.</param>
/// <param name="Verbatim">True when <see cref="Text"/> is exactly the source characters (no quotes or escapes),
/// so offsets inside the text map one to one onto the line.</param>
internal readonly record struct ArgToken(string Text, int Offset, bool Verbatim)
{
    /// <summary>
    /// The line offset of character <paramref name="index"/> of <see cref="Text"/>; the argument's start when
    /// quoting makes the mapping ambiguous.
    /// </summary>
    public int OffsetOf(int index) => Verbatim ? Offset + index : Offset;
}
