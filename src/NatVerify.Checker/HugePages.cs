using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NatVerify.Checker;

/// <summary>
/// Asks Linux to back a large table with transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>). A fingerprint table is
/// accessed at random, so with 4 KiB pages nearly every probe also misses the TLB; 2 MiB pages remove most of those
/// misses and most page faults. A no-op elsewhere, or when the kernel refuses.
/// </summary>
internal static partial class HugePages
{
    /// <summary>The size of a transparent huge page on x86-64 and most arm64 kernels.</summary>
    public const long HugePageSize = 2L << 20;

    private const int MadvHugePage = 14;

    /// <summary>
    /// Allocates a pinned, zeroed array (the table is read through a pointer), advising huge pages for its interior
    /// before the pages are first touched when it is large enough to have one.
    /// </summary>
    public static ulong[] AllocateTable(int length)
    {
        long bytes = (long)length * sizeof(ulong);
        if (bytes < 2 * HugePageSize || !OperatingSystem.IsLinux())
        {
            return GC.AllocateArray<ulong>(length, pinned: true);
        }

        ulong[] table = GC.AllocateUninitializedArray<ulong>(length, pinned: true);
        Advise(table, bytes);
        Array.Clear(table);
        return table;
    }

    private static unsafe void Advise(ulong[] table, long bytes) =>
        Advise((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(table)), bytes);

    /// <summary>Advises huge pages for the whole huge pages inside <paramref name="bytes"/> bytes from <paramref name="start"/>.</summary>
    public static void Advise(nint start, long bytes)
    {
        long alignedStart = ((long)start + HugePageSize - 1) & ~(HugePageSize - 1);
        long alignedEnd = ((long)start + bytes) & ~(HugePageSize - 1);
        if (alignedEnd > alignedStart)
        {
            try
            {
                _ = Madvise((nint)alignedStart, (nuint)(alignedEnd - alignedStart), MadvHugePage);
            }
            catch (DllNotFoundException)
            {
                // No libc under that name: ordinary pages.
            }
            catch (EntryPointNotFoundException)
            {
                // Likewise.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
