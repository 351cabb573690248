using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace NatVerify.Checker;

/// <summary>
/// An open-addressing hash set of non-zero 64-bit fingerprints (linear probing, power-of-two capacity,
/// doubling at 70% load, 0 as the empty marker).
/// </summary>
public sealed class FingerprintSet
{
    /// <summary>The largest table size: the largest power of two that is a valid array length.</summary>
    public const int MaxCapacity = 1 << 30;

    // Fibonacci hashing spreads inputs that are not already well mixed (the set is public, so callers may insert anything).
    private const ulong Spread = 0x9E3779B97F4A7C15UL;

    private ulong[] _slots;
    private int _shift;
    private int _mask;
    private long _count;
    private long _growThreshold;

    /// <summary>Creates an empty set able to hold about 70% of <paramref name="initialCapacity"/> entries before growing.</summary>
    /// <param name="initialCapacity">The requested table size, rounded up to a power of two (at least 2).</param>
    public FingerprintSet(int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialCapacity, MaxCapacity);
        int capacity = Math.Max(2, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)initialCapacity));
        _slots = HugePages.AllocateTable(capacity);
        Configure(capacity);
    }

    /// <summary>Gets the number of fingerprints stored.</summary>
    public long Count => _count;

    /// <summary>Gets the current table size in slots (a power of two).</summary>
    public int Capacity => _slots.Length;

    /// <summary>Gets the size of the table in bytes.</summary>
    public long Bytes => (long)_slots.Length * sizeof(ulong);

    /// <summary>Adds a fingerprint.</summary>
    /// <param name="fingerprint">A non-zero fingerprint.</param>
    /// <returns><see langword="true"/> if it was not present before.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fingerprint"/> is 0.</exception>
    /// <exception cref="InsufficientMemoryException">The table is at <see cref="MaxCapacity"/> and full.</exception>
    public bool Add(ulong fingerprint)
    {
        ArgumentOutOfRangeException.ThrowIfZero(fingerprint);
        ulong[] slots = _slots;
        int index = IndexOf(fingerprint);
        while (true)
        {
            ulong existing = slots[index];
            if (existing == fingerprint)
            {
                return false;
            }

            if (existing == 0)
            {
                break;
            }

            index = (index + 1) & _mask;
        }

        if (_count + 1 > _growThreshold)
        {
            Grow();
            Insert(_slots, fingerprint);
        }
        else
        {
            slots[index] = fingerprint;
        }

        _count++;
        return true;
    }

    /// <summary>Reports whether a fingerprint is present.</summary>
    /// <param name="fingerprint">The fingerprint to look up; 0 is never present.</param>
    /// <returns><see langword="true"/> if the set contains it.</returns>
    public bool Contains(ulong fingerprint)
    {
        if (fingerprint == 0)
        {
            return false;
        }

        ulong[] slots = _slots;
        int index = IndexOf(fingerprint);
        while (true)
        {
            ulong existing = slots[index];
            if (existing == fingerprint)
            {
                return true;
            }

            if (existing == 0)
            {
                return false;
            }

            index = (index + 1) & _mask;
        }
    }

    /// <summary>
    /// Hints the processor to load the slot where <paramref name="fingerprint"/> would be probed first, so that a batch
    /// of lookups waits for memory once instead of once per lookup. Has no effect on the set's contents.
    /// </summary>
    /// <param name="fingerprint">A fingerprint that is about to be added or looked up.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong fingerprint)
    {
        if (Sse.IsSupported)
        {
            // A prefetch never faults, so a stale address (were the table to move) would be harmless.
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), IndexOf(fingerprint))));
        }
    }

    /// <summary>Reports whether every fingerprint of this set is also in <paramref name="other"/>.</summary>
    internal bool IsSubsetOf(FingerprintSet other)
    {
        ulong[] slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            ulong value = slots[i];
            if (value != 0 && !other.Contains(value))
            {
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int IndexOf(ulong fingerprint)
    {
        return (int)((fingerprint * Spread) >> _shift);
    }

    private void Insert(ulong[] slots, ulong fingerprint)
    {
        int index = IndexOf(fingerprint);
        while (slots[index] != 0)
        {
            index = (index + 1) & _mask;
        }

        slots[index] = fingerprint;
    }

    private void Grow()
    {
        ulong[] old = _slots;
        if (old.Length >= MaxCapacity)
        {
            // No bigger table is possible: keep filling, but always leave one empty slot so probes terminate.
            if (_count + 1 >= old.Length)
            {
                throw new InsufficientMemoryException("The fingerprint set is full at its maximum capacity.");
            }

            _growThreshold = old.Length - 1;
            return;
        }

        int capacity = old.Length * 2;
        ulong[] slots = HugePages.AllocateTable(capacity);
        Configure(capacity);
        for (int i = 0; i < old.Length; i++)
        {
            ulong value = old[i];
            if (value != 0)
            {
                Insert(slots, value);
            }
        }

        _slots = slots;
    }

    private void Configure(int capacity)
    {
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        _growThreshold = (long)capacity * 7 / 10;
    }
}
