using System.Buffers.Binary;
using System.Numerics;

namespace NatVerify.Checker;

/// <summary>Computes 64-bit state fingerprints with XXH64 (seed 0), remapping the reserved value 0.</summary>
public static class Fingerprint
{
    /// <summary>The value returned instead of 0, which the fingerprint set reserves as its empty marker.</summary>
    public const ulong ZeroReplacement = 0x9E3779B97F4A7C15UL;

    private const ulong Prime1 = 11400714785074694791UL;
    private const ulong Prime2 = 14029467366897019727UL;
    private const ulong Prime3 = 1609587929392839161UL;
    private const ulong Prime4 = 9650029242287828579UL;
    private const ulong Prime5 = 2870177450012600261UL;

    /// <summary>Returns the XXH64 hash of <paramref name="bytes"/>, or <see cref="ZeroReplacement"/> if that hash is 0; never returns 0.</summary>
    /// <param name="bytes">The canonical encoding of a state.</param>
    /// <returns>A non-zero 64-bit fingerprint.</returns>
    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        ulong hash = XxHash64(bytes);
        return hash == 0 ? ZeroReplacement : hash;
    }

    /// <summary>
    /// A bijective 64-bit mix (the MurmurHash3 finaliser): distinct inputs give distinct outputs, and similar inputs
    /// give unrelated outputs, so compact state values (<see cref="ICompactStateEncoder{TState}"/>) can be stored
    /// without collisions in a table indexed by high bits. Note that exactly one input maps to 0.
    /// </summary>
    /// <param name="value">The value to mix.</param>
    /// <returns>The mixed value.</returns>
    public static ulong Mix(ulong value)
    {
        value ^= value >> 33;
        value *= 0xFF51AFD7ED558CCDUL;
        value ^= value >> 33;
        value *= 0xC4CEB9FE1A85EC53UL;
        value ^= value >> 33;
        return value;
    }

    /// <summary>Returns the plain XXH64 hash (seed 0) of <paramref name="bytes"/>, which may be 0.</summary>
    /// <param name="bytes">The bytes to hash.</param>
    /// <returns>The 64-bit hash.</returns>
    public static ulong XxHash64(ReadOnlySpan<byte> bytes)
    {
        int length = bytes.Length;
        int offset = 0;
        ulong hash;
        if (length >= 32)
        {
            ulong v1 = unchecked(Prime1 + Prime2);
            ulong v2 = Prime2;
            ulong v3 = 0;
            ulong v4 = unchecked(0UL - Prime1);
            int limit = length - 32;
            do
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(offset, 8)));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(offset + 8, 8)));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(offset + 16, 8)));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(offset + 24, 8)));
                offset += 32;
            }
            while (offset <= limit);

            hash = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7)
                + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            hash = MergeRound(hash, v1);
            hash = MergeRound(hash, v2);
            hash = MergeRound(hash, v3);
            hash = MergeRound(hash, v4);
        }
        else
        {
            hash = Prime5;
        }

        hash += (ulong)length;

        while (length - offset >= 8)
        {
            hash ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(offset, 8)));
            hash = (BitOperations.RotateLeft(hash, 27) * Prime1) + Prime4;
            offset += 8;
        }

        if (length - offset >= 4)
        {
            hash ^= BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset, 4)) * Prime1;
            hash = (BitOperations.RotateLeft(hash, 23) * Prime2) + Prime3;
            offset += 4;
        }

        while (offset < length)
        {
            hash ^= bytes[offset] * Prime5;
            hash = BitOperations.RotateLeft(hash, 11) * Prime1;
            offset++;
        }

        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        hash *= Prime3;
        hash ^= hash >> 32;
        return hash;
    }

    private static ulong Round(ulong accumulator, ulong input)
    {
        accumulator += input * Prime2;
        accumulator = BitOperations.RotateLeft(accumulator, 31);
        return accumulator * Prime1;
    }

    private static ulong MergeRound(ulong accumulator, ulong value)
    {
        accumulator ^= Round(0, value);
        return (accumulator * Prime1) + Prime4;
    }
}
