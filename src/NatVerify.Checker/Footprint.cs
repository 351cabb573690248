using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>
/// A set of abstract memory locations of a model: a key (what kind of thing, e.g. "table node of protocol 6") and a
/// box of up to four closed integer intervals (e.g. addresses and ports). Two regions overlap when their keys are
/// equal and every interval overlaps; <see cref="Everything"/> overlaps every region. Models describe what a step
/// reads and writes with regions (<see cref="IStepFootprints{TState, TAction}"/>); the engine only tests overlap.
/// </summary>
public readonly struct Region
{
    private const long EverythingKey = long.MinValue;

    /// <summary>Creates a region; unused dimensions are left at [0, 0].</summary>
    /// <param name="key">What kind of location; regions with different keys never overlap.</param>
    /// <param name="lo0">Lower bound of the first dimension.</param>
    /// <param name="hi0">Upper bound of the first dimension (inclusive).</param>
    /// <param name="lo1">Lower bound of the second dimension.</param>
    /// <param name="hi1">Upper bound of the second dimension.</param>
    /// <param name="lo2">Lower bound of the third dimension.</param>
    /// <param name="hi2">Upper bound of the third dimension.</param>
    /// <param name="lo3">Lower bound of the fourth dimension.</param>
    /// <param name="hi3">Upper bound of the fourth dimension.</param>
    public Region(long key, long lo0 = 0, long hi0 = 0, long lo1 = 0, long hi1 = 0, long lo2 = 0, long hi2 = 0, long lo3 = 0, long hi3 = 0)
    {
        Key = key;
        Lo0 = lo0;
        Hi0 = hi0;
        Lo1 = lo1;
        Hi1 = hi1;
        Lo2 = lo2;
        Hi2 = hi2;
        Lo3 = lo3;
        Hi3 = hi3;
    }

    /// <summary>Gets the region that overlaps every region (a step that may touch anything).</summary>
    public static Region Everything { get; } = new(EverythingKey);

    /// <summary>Gets the key.</summary>
    public long Key { get; }

    /// <summary>Gets the first dimension's lower bound.</summary>
    public long Lo0 { get; }

    /// <summary>Gets the first dimension's upper bound.</summary>
    public long Hi0 { get; }

    /// <summary>Gets the second dimension's lower bound.</summary>
    public long Lo1 { get; }

    /// <summary>Gets the second dimension's upper bound.</summary>
    public long Hi1 { get; }

    /// <summary>Gets the third dimension's lower bound.</summary>
    public long Lo2 { get; }

    /// <summary>Gets the third dimension's upper bound.</summary>
    public long Hi2 { get; }

    /// <summary>Gets the fourth dimension's lower bound.</summary>
    public long Lo3 { get; }

    /// <summary>Gets the fourth dimension's upper bound.</summary>
    public long Hi3 { get; }

    /// <summary>Gets whether this is <see cref="Everything"/>.</summary>
    public bool IsEverything => Key == EverythingKey;

    /// <summary>Returns true when the two regions may share a location.</summary>
    /// <param name="other">Another region.</param>
    /// <returns>True when they overlap.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Overlaps(in Region other) =>
        Key == EverythingKey || other.Key == EverythingKey
        || (Key == other.Key
            && Lo0 <= other.Hi0 && other.Lo0 <= Hi0
            && Lo1 <= other.Hi1 && other.Lo1 <= Hi1
            && Lo2 <= other.Hi2 && other.Lo2 <= Hi2
            && Lo3 <= other.Hi3 && other.Lo3 <= Hi3);

    /// <inheritdoc />
    public override string ToString() => IsEverything
        ? "everything"
        : $"{Key}:[{Lo0},{Hi0}]x[{Lo1},{Hi1}]x[{Lo2},{Hi2}]x[{Lo3},{Hi3}]";
}

/// <summary>
/// The locations some steps read and write. The engine owns and reuses instances (one per process per thread), so
/// filling one allocates nothing once its arrays have grown.
/// </summary>
public sealed class Footprint
{
    private Region[] _reads = new Region[8];
    private Region[] _writes = new Region[8];

    // Whether Everything is among the reads / writes: tested once in ConflictsWith, so the pairwise scan compares keys only.
    private bool _readsEverything;
    private bool _writesEverything;

    // One bit per key (hashed into 64) of the ordinary regions read / written: footprints whose written keys meet none
    // of the other's keys cannot conflict, which ConflictsWith tells without the pairwise scan.
    private ulong _readKeys;
    private ulong _writeKeys;

    /// <summary>Gets the number of read regions.</summary>
    public int ReadCount { get; private set; }

    /// <summary>Gets the number of written regions.</summary>
    public int WriteCount { get; private set; }

    /// <summary>Gets whether nothing is read or written.</summary>
    public bool IsEmpty => ReadCount == 0 && WriteCount == 0;

    /// <summary>Gets the read regions.</summary>
    public ReadOnlySpan<Region> Reads => _reads.AsSpan(0, ReadCount);

    /// <summary>Gets the written regions.</summary>
    public ReadOnlySpan<Region> Writes => _writes.AsSpan(0, WriteCount);

    /// <summary>Adds a region the steps may read (whose value may change whether they are enabled, which of them exist, or what they do).</summary>
    /// <param name="region">The region.</param>
    public void Read(in Region region)
    {
        ReadCount = Append(ref _reads, ReadCount, region);
        if (region.IsEverything)
        {
            _readsEverything = true;
        }
        else
        {
            _readKeys |= KeyBit(region.Key);
        }
    }

    /// <summary>Adds a region the steps may change.</summary>
    /// <param name="region">The region.</param>
    public void Write(in Region region)
    {
        WriteCount = Append(ref _writes, WriteCount, region);
        if (region.IsEverything)
        {
            _writesEverything = true;
        }
        else
        {
            _writeKeys |= KeyBit(region.Key);
        }
    }

    // Inlined: footprints are filled for every process of every reduced state (an out-of-line append was 4% of a search).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Append(ref Region[] regions, int count, in Region region)
    {
        if ((uint)count >= (uint)regions.Length)
        {
            Array.Resize(ref regions, regions.Length * 2);
        }

        regions[count] = region;
        return count + 1;
    }

    /// <summary>Adds a region the steps may both read and change.</summary>
    /// <param name="region">The region.</param>
    public void ReadWrite(in Region region)
    {
        Read(region);
        Write(region);
    }

    /// <summary>Adds every region of another footprint.</summary>
    /// <param name="other">The footprint to add.</param>
    public void Add(Footprint other)
    {
        // Block copies: the stubborn-set search adds whole footprints for every process it pulls in.
        ReadCount = AppendAll(ref _reads, ReadCount, other.Reads);
        WriteCount = AppendAll(ref _writes, WriteCount, other.Writes);
        _readsEverything |= other._readsEverything;
        _writesEverything |= other._writesEverything;
        _readKeys |= other._readKeys;
        _writeKeys |= other._writeKeys;
    }

    /// <summary>Empties the footprint, keeping its arrays.</summary>
    public void Clear()
    {
        ReadCount = 0;
        WriteCount = 0;
        _readsEverything = false;
        _writesEverything = false;
        _readKeys = 0;
        _writeKeys = 0;
    }

    /// <summary>
    /// Returns true when the two footprints conflict: one writes a region the other reads or writes. Steps whose
    /// footprints do not conflict are independent: neither enables, disables or changes the other, and both orders
    /// lead to the same state.
    /// </summary>
    /// <param name="other">Another footprint.</param>
    /// <returns>True when they may interfere.</returns>
    public bool ConflictsWith(Footprint other)
    {
        // Everything overlaps every region: a side that writes it conflicts with any non-empty other side, one that
        // reads it with any other side that writes. What is left are regions of ordinary keys.
        if ((_writesEverything && !other.IsEmpty) || (other._writesEverything && !IsEmpty)
            || (_readsEverything && other.WriteCount > 0) || (other._readsEverything && WriteCount > 0))
        {
            return true;
        }

        // Regions of different keys never overlap: without a key written on one side and touched on the other, no pair can.
        if (((_writeKeys & (other._readKeys | other._writeKeys)) | (_readKeys & other._writeKeys)) == 0)
        {
            return false;
        }

        return AnyOverlap(Writes, other.Reads) || AnyOverlap(Writes, other.Writes) || AnyOverlap(Reads, other.Writes);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"reads {string.Join(", ", Reads.ToArray())}; writes {string.Join(", ", Writes.ToArray())}";

    /// <summary>Pairwise overlap of ordinary regions (no Everything among them may overlap anything: ConflictsWith handled it).</summary>
    private static bool AnyOverlap(ReadOnlySpan<Region> a, ReadOnlySpan<Region> b)
    {
        foreach (ref readonly Region x in a)
        {
            long key = x.Key;
            foreach (ref readonly Region y in b)
            {
                if (y.Key == key && x.Overlaps(y))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int AppendAll(ref Region[] array, int count, ReadOnlySpan<Region> regions)
    {
        if (count + regions.Length > array.Length)
        {
            Array.Resize(ref array, Math.Max(array.Length * 2, count + regions.Length));
        }

        regions.CopyTo(array.AsSpan(count));
        return count + regions.Length;
    }

    /// <summary>The bit of a key in the key masks (Fibonacci hashing: keys that differ in any bits spread over the 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeyBit(long key) => 1UL << (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 58);
}
