namespace NatVerify.Checker;

/// <summary>Reads back what a <see cref="StateWriter"/> wrote (for <see cref="IStatePacker{TState}.Unpack"/>).</summary>
public ref struct StateReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    /// <summary>Creates a reader at the start of <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The bytes to read.</param>
    public StateReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
    }

    /// <summary>Gets whether every byte was read.</summary>
    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>Reads one byte.</summary>
    /// <returns>The byte.</returns>
    public byte ReadByte() => _bytes[_position++];

    /// <summary>Reads a value written by <see cref="StateWriter.WriteVarUInt64"/>.</summary>
    /// <returns>The value.</returns>
    public ulong ReadVarUInt64()
    {
        ulong value = 0;
        int shift = 0;
        byte b;
        do
        {
            b = _bytes[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            shift += 7;
        }
        while (b >= 0x80);

        return value;
    }
}
