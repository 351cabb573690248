using System.Buffers.Binary;
using System.Text;

namespace NatVerify.Checker;

/// <summary>A reusable, growable byte buffer into which states are encoded (multi-byte values little-endian).</summary>
public sealed class StateWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with the given initial capacity in bytes.</summary>
    /// <param name="initialCapacity">The initial buffer size; the buffer grows as needed.</param>
    public StateWriter(int initialCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = new byte[Math.Max(initialCapacity, 16)];
    }

    /// <summary>Gets the number of bytes written since the last <see cref="Reset"/>.</summary>
    public int Length => _length;

    /// <summary>Gets the bytes written since the last <see cref="Reset"/>; invalidated by the next write.</summary>
    public ReadOnlySpan<byte> Written => new(_buffer, 0, _length);

    /// <summary>Discards the written bytes, keeping the buffer for reuse.</summary>
    public void Reset()
    {
        _length = 0;
    }

    /// <summary>Writes one byte.</summary>
    /// <param name="value">The value to write.</param>
    public void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
    }

    /// <summary>Writes a boolean as one byte (0 or 1).</summary>
    /// <param name="value">The value to write.</param>
    public void WriteBoolean(bool value)
    {
        Reserve(1)[0] = value ? (byte)1 : (byte)0;
    }

    /// <summary>Writes a 16-bit unsigned integer.</summary>
    /// <param name="value">The value to write.</param>
    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Reserve(sizeof(ushort)), value);
    }

    /// <summary>Writes a 32-bit signed integer.</summary>
    /// <param name="value">The value to write.</param>
    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Reserve(sizeof(int)), value);
    }

    /// <summary>Writes a 32-bit unsigned integer.</summary>
    /// <param name="value">The value to write.</param>
    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(sizeof(uint)), value);
    }

    /// <summary>Writes a 64-bit signed integer.</summary>
    /// <param name="value">The value to write.</param>
    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Reserve(sizeof(long)), value);
    }

    /// <summary>Writes a 64-bit unsigned integer.</summary>
    /// <param name="value">The value to write.</param>
    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(sizeof(ulong)), value);
    }

    /// <summary>Writes an unsigned integer in 7-bit groups, low group first (1 byte below 128; <see cref="StateReader.ReadVarUInt64"/> reads it).</summary>
    /// <param name="value">The value to write.</param>
    public void WriteVarUInt64(ulong value)
    {
        // Room for the longest form (10 bytes): write in place, without a bounds check per byte.
        int at = _length;
        byte[] buffer = _buffer;
        if (buffer.Length - at >= 10)
        {
            while (value >= 0x80)
            {
                buffer[at++] = (byte)(value | 0x80);
                value >>= 7;
            }

            buffer[at++] = (byte)value;
            _length = at;
            return;
        }

        while (value >= 0x80)
        {
            Reserve(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Reserve(1)[0] = (byte)value;
    }

    /// <summary>
    /// Room for at least <paramref name="count"/> more bytes, to be filled in place and then committed with
    /// <see cref="Advance"/> (an encoder writing many small values at once avoids a call per value).
    /// </summary>
    /// <param name="count">The most bytes the caller will write.</param>
    /// <returns>The free space after the written bytes; valid until the next write.</returns>
    public Span<byte> GetSpan(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(_length + count);
        }

        return new Span<byte>(_buffer, _length, _buffer.Length - _length);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the span <see cref="GetSpan"/> returned.</summary>
    /// <param name="count">The bytes written, at most the span's length.</param>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _length);
        _length += count;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as <see cref="WriteVarUInt64"/> does into <paramref name="destination"/> at
    /// <paramref name="at"/> (at most 10 bytes; the caller made room) and returns the position after it.
    /// </summary>
    /// <param name="destination">The span to write into.</param>
    /// <param name="at">Where the value starts.</param>
    /// <param name="value">The value.</param>
    /// <returns>The position after the value.</returns>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int PutVarUInt64(Span<byte> destination, int at, ulong value)
    {
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[at++] = (byte)value;
        return at;
    }

    /// <summary>Writes raw bytes without a length prefix.</summary>
    /// <param name="bytes">The bytes to write.</param>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
    }

    /// <summary>Writes a string as its UTF-8 byte count (32-bit) followed by its UTF-8 bytes.</summary>
    /// <param name="value">The string to write.</param>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    private Span<byte> Reserve(int count)
    {
        int start = _length;
        if (_buffer.Length - start < count)
        {
            Grow(start + count);
        }

        _length = start + count;
        return new Span<byte>(_buffer, start, count);
    }

    private void Grow(int required)
    {
        int size = (int)Math.Min(Math.Max((long)_buffer.Length * 2, required), Array.MaxLength);
        if (size < required)
        {
            throw new InsufficientMemoryException("A state encoding exceeded the maximum array length.");
        }

        Array.Resize(ref _buffer, size);
    }
}
