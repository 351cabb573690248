using System.Runtime.InteropServices;

namespace NatVerify.Checker;

/// <summary>
/// Address space reserved once for a fingerprint table's largest size (<c>mmap</c>, <c>MAP_NORESERVE</c>), advised for
/// transparent huge pages. Linux backs a page with zeroed memory the first time the table touches it, so doubling the
/// table needs neither a new allocation nor clearing: the upper half is already there, untouched and zero, and only
/// the half the table grows into is ever faulted in. A table that is reallocated instead faults in both tables at every
/// doubling and keeps both alive while it rehashes; on this kind of VM a first touch runs at about 0.4 GB/s, so the
/// doublings were 4-8% of a large run (docs/performance.md, "Growing the fingerprint table in place").
/// </summary>
internal sealed unsafe partial class ReservedTable : SafeHandle
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MapNoReserve = 0x4000;
    private const long HugePageSize = HugePages.HugePageSize;

    private readonly nuint _length;
    private long _pressure;

    private ReservedTable(nint mapped, nuint length)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(mapped);
        _length = length;
        // Huge pages need 2 MiB-aligned ranges: the table starts at the first boundary of the reservation.
        Base = (ulong*)(((long)mapped + HugePageSize - 1) & ~(HugePageSize - 1));
        Slots = (long)((((long)mapped + (long)length) - (long)Base) / sizeof(ulong));
    }

    /// <summary>The first slot; slots are zero until written.</summary>
    public ulong* Base { get; }

    /// <summary>How many slots the reservation holds.</summary>
    public long Slots { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>
    /// Reserves room for <paramref name="slots"/> slots, or returns <see langword="null"/> where that is not possible
    /// (not Linux, no libc, a strict overcommit policy or an address-space limit): the caller then allocates tables.
    /// </summary>
    public static ReservedTable? TryReserve(long slots)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return null;
        }

        nuint length = (nuint)((slots * sizeof(ulong)) + HugePageSize);
        try
        {
            nint mapped = Mmap(nint.Zero, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
            if (mapped == -1 || mapped == nint.Zero)
            {
                return null;
            }

            var table = new ReservedTable(mapped, length);
            // Advice only: where the kernel refuses, the table works on ordinary pages.
            HugePages.Advise((nint)table.Base, table.Slots * sizeof(ulong));
            return table;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Tells the garbage collector how much of the reservation the table now uses, so that a finished search's table is
    /// collected (and unmapped) as promptly as managed memory of that size would be.
    /// </summary>
    public void InUse(long slots)
    {
        long bytes = slots * sizeof(ulong);
        if (bytes > _pressure)
        {
            GC.AddMemoryPressure(bytes - _pressure);
            _pressure = bytes;
        }
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_pressure > 0)
        {
            GC.RemoveMemoryPressure(_pressure);
        }

        return Munmap(handle, _length) == 0;
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);
}
