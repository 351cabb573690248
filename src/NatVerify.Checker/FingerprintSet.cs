using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace NatVerify.Checker;

/// <summary>
/// An open-addressing hash set of non-zero 64-bit fingerprints (linear probing, power-of-two capacity,
/// doubling at 70% load, 0 as the empty marker).
/// </summary>
/// <remarks>
/// A table of 4 MiB or more lives in address space reserved for the largest table (<see cref="ReservedTable"/>) and
/// doubles in place: the upper half is untouched, hence zero, and the entries are rehashed within the table
/// (<see cref="GrowInPlace"/>). Smaller tables, and every table where the reservation is refused, are pinned arrays
/// replaced at each doubling.
/// </remarks>
public sealed unsafe class FingerprintSet
{
    /// <summary>The largest table size: the largest power of two that is a valid array length.</summary>
    public const int MaxCapacity = 1 << 30;

    // Fibonacci hashing spreads inputs that are not already well mixed (the set is public, so callers may insert anything).
    private const ulong Spread = 0x9E3779B97F4A7C15UL;

    // From this size on a table is worth a reservation and huge pages (two 2 MiB pages: 4 MiB).
    private const int ReserveFrom = 1 << 19;

    private readonly long _reserveFrom;

    // The table: into _array (pinned, so the address is stable) or into _region.
    private ulong* _table;
    private ulong[]? _array;
    private ReservedTable? _region;
    private int _capacity;
    private int _shift;
    private int _mask;
    private long _count;
    private long _growThreshold;

    /// <summary>Creates an empty set able to hold about 70% of <paramref name="initialCapacity"/> entries before growing.</summary>
    /// <param name="initialCapacity">The requested table size, rounded up to a power of two (at least 2).</param>
    public FingerprintSet(int initialCapacity = 1024)
        : this(initialCapacity, ReserveFrom)
    {
    }

    /// <summary>A set whose tables move into a reservation from <paramref name="reserveFrom"/> slots on (tests: small).</summary>
    internal FingerprintSet(int initialCapacity, long reserveFrom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialCapacity, MaxCapacity);
        _reserveFrom = reserveFrom;
        int capacity = Math.Max(2, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)initialCapacity));
        UseTable(capacity);
        Configure(capacity);
    }

    /// <summary>Gets the number of fingerprints stored.</summary>
    public long Count => _count;

    /// <summary>Gets the current table size in slots (a power of two).</summary>
    public int Capacity => _capacity;

    /// <summary>Gets the size of the table in bytes.</summary>
    public long Bytes => (long)_capacity * sizeof(ulong);

    /// <summary>Whether the table lives in a reservation and doubles in place (tests).</summary>
    internal bool GrowsInPlace => _region is not null;

    /// <summary>Adds a fingerprint.</summary>
    /// <param name="fingerprint">A non-zero fingerprint.</param>
    /// <returns><see langword="true"/> if it was not present before.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fingerprint"/> is 0.</exception>
    /// <exception cref="InsufficientMemoryException">The table is at <see cref="MaxCapacity"/> and full.</exception>
    public bool Add(ulong fingerprint)
    {
        ArgumentOutOfRangeException.ThrowIfZero(fingerprint);
        ulong* table = _table;
        int index = IndexOf(fingerprint);
        while (true)
        {
            ulong existing = table[index];
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
            Insert(fingerprint);
        }
        else
        {
            table[index] = fingerprint;
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

        ulong* table = _table;
        int index = IndexOf(fingerprint);
        while (true)
        {
            ulong existing = table[index];
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
    public void Prefetch(ulong fingerprint)
    {
        if (Sse.IsSupported)
        {
            // A prefetch never faults, so a stale address (were the table to move) would be harmless.
            Sse.Prefetch0(_table + IndexOf(fingerprint));
        }
    }

    /// <summary>Reports whether every fingerprint of this set is also in <paramref name="other"/>.</summary>
    internal bool IsSubsetOf(FingerprintSet other)
    {
        ulong* table = _table;
        for (int i = 0; i < _capacity; i++)
        {
            ulong value = table[i];
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

    private void Insert(ulong fingerprint)
    {
        ulong* table = _table;
        int index = IndexOf(fingerprint);
        while (table[index] != 0)
        {
            index = (index + 1) & _mask;
        }

        table[index] = fingerprint;
    }

    private void Grow()
    {
        if (_capacity >= MaxCapacity)
        {
            // No bigger table is possible: keep filling, but always leave one empty slot so probes terminate.
            if (_count + 1 >= _capacity)
            {
                throw new InsufficientMemoryException("The fingerprint set is full at its maximum capacity.");
            }

            _growThreshold = _capacity - 1;
            return;
        }

        int capacity = _capacity * 2;
        if (_region is not null)
        {
            GrowInPlace(capacity);
            return;
        }

        ulong* old = _table;
        int oldCapacity = _capacity;
        ulong[]? oldArray = _array;
        UseTable(capacity);
        Configure(capacity);
        for (int i = 0; i < oldCapacity; i++)
        {
            ulong value = old[i];
            if (value != 0)
            {
                Insert(value);
            }
        }

        GC.KeepAlive(oldArray);
    }

    /// <summary>
    /// Doubles a table in its reservation without a second table. With the index taken from the hash's top bits, an
    /// entry whose home was h has home 2h or 2h+1 after doubling, so walking the old positions downwards, every entry
    /// whose new home is at or above its old position p is placed by probing only positions above p: slots already
    /// emptied or holding entries placed in this pass, never an entry still waiting. Emptying p then cannot cut the
    /// probe run of a placed entry, since all of those start above it. The rest (a home below p, after a long probe
    /// run; or a probe run that would wrap past the end) are set aside and inserted after the pass, when nothing is
    /// emptied any more. At 70% load those are a handful.
    /// </summary>
    private void GrowInPlace(int capacity)
    {
        ulong* table = _table;
        int oldCapacity = _capacity;
        _region!.InUse(capacity);
        Configure(capacity);
        List<ulong>? later = null;
        for (int p = oldCapacity - 1; p >= 0; p--)
        {
            ulong value = table[p];
            if (value == 0)
            {
                continue;
            }

            table[p] = 0;
            int home = IndexOf(value);
            int q = home;
            if (home >= p)
            {
                while (q < capacity && table[q] != 0)
                {
                    q++;
                }
            }

            if (home < p || q == capacity)
            {
                (later ??= []).Add(value);
            }
            else
            {
                table[q] = value;
            }
        }

        if (later is not null)
        {
            foreach (ulong value in later)
            {
                Insert(value);
            }
        }
    }

    // Points _table at a zeroed table of `capacity` slots: the reservation from _reserveFrom slots on, else a pinned array.
    private void UseTable(int capacity)
    {
        if (capacity >= _reserveFrom && _region is null)
        {
            _region = ReservedTable.TryReserve(MaxCapacity);
        }

        if (_region is not null)
        {
            _region.InUse(capacity);
            _table = _region.Base;
            _array = null;
        }
        else
        {
            _array = HugePages.AllocateTable(capacity);
            _table = (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        }

        _capacity = capacity;
    }

    private void Configure(int capacity)
    {
        _capacity = capacity;
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        _growThreshold = (long)capacity * 7 / 10;
    }
}
