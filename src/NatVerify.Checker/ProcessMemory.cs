using System.Globalization;

namespace NatVerify.Checker;

/// <summary>
/// The process's memory as the kernel counts it, and the memory the machine can give it. Memory bounds
/// (<see cref="CheckerOptions.MaxMemoryBytes"/>, <c>prove --max-memory</c>) compare against
/// <see cref="ResidentBytes"/>, not the managed heap: the fingerprint table, pinned arrays, the runtime itself and
/// Z3's native allocations are all resident memory that <see cref="GC.GetTotalMemory(bool)"/> does not see.
/// </summary>
public static class ProcessMemory
{
    /// <summary>The share of <see cref="Available"/> that the default memory bound allows.</summary>
    public const double DefaultShare = 0.75;

    private const string Statm = "/proc/self/statm";
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>
    /// The resident set size of this process in bytes: the second field of <c>/proc/self/statm</c> (resident pages)
    /// times the page size on Linux; <see cref="Environment.WorkingSet"/> elsewhere. Cheap enough to call every few
    /// thousand states (one small read of a procfs file).
    /// </summary>
    public static long ResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // "size resident shared text lib data dt", in pages.
                var text = File.ReadAllText(Statm);
                var fields = text.Split(' ', 3);
                if (fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
                {
                    return pages * PageSize;
                }
            }
            catch (IOException)
            {
                // procfs not mounted (a minimal container): fall through to the runtime's own figure.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return Environment.WorkingSet;
    }

    /// <summary>
    /// The memory the machine can give this process, in bytes: <c>MemAvailable</c> of <c>/proc/meminfo</c>, or the
    /// control group's limit when that is lower (cgroup v2 <c>memory.max</c> of this process's group or of the root
    /// <c>/sys/fs/cgroup</c>, cgroup v1 <c>memory/memory.limit_in_bytes</c>); null when none of them can be read.
    /// </summary>
    public static MemorySource? Available()
    {
        MemorySource? best = null;
        void Consider(long? bytes, string source)
        {
            if (bytes is { } b && b > 0 && (best is null || b < best.Bytes))
            {
                best = new MemorySource(b, source);
            }
        }

        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Consider(MemInfoAvailable(), "MemAvailable in /proc/meminfo");
        if (CgroupV2Path() is { } group)
        {
            Consider(ReadLimit(Path.Combine("/sys/fs/cgroup", group.TrimStart('/'), "memory.max")), "the cgroup limit memory.max");
        }

        Consider(ReadLimit("/sys/fs/cgroup/memory.max"), "the cgroup limit memory.max");
        Consider(ReadLimit("/sys/fs/cgroup/memory/memory.limit_in_bytes"), "the cgroup limit memory.limit_in_bytes");
        return best;
    }

    /// <summary>The default memory bound: <see cref="DefaultShare"/> of <see cref="Available"/>, or null when unknown.</summary>
    public static MemoryBound? DefaultBound() => DefaultBound(Available());

    /// <summary>The bound a run applies: the user's, else <see cref="DefaultBound()"/>, else none.</summary>
    public static MemoryBound? Choose(long? userBytes) =>
        userBytes is { } bytes ? new MemoryBound(bytes, IsDefault: false, From: null) : DefaultBound();

    /// <summary><see cref="DefaultShare"/> of the given available memory, or null when it is unknown.</summary>
    public static MemoryBound? DefaultBound(MemorySource? available) =>
        available is null ? null : new MemoryBound(Math.Max(1, (long)(available.Bytes * DefaultShare)), IsDefault: true, available);

    /// <summary>The <c>MemAvailable</c> line of a <c>/proc/meminfo</c> text, in bytes.</summary>
    public static long? ParseMemAvailable(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            // "MemAvailable:   23597916 kB"
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib) && kib < long.MaxValue / 1024)
                {
                    return kib * 1024;
                }
            }
        }

        return null;
    }

    /// <summary>A cgroup limit file's text in bytes; null for "max" and for cgroup v1's "no limit" (a value near 2^63).</summary>
    public static long? ParseLimit(string text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes < long.MaxValue / 2 ? bytes : null;

    private static long? MemInfoAvailable()
    {
        try
        {
            return ParseMemAvailable(File.ReadLines("/proc/meminfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? CgroupV2Path()
    {
        try
        {
            // cgroup v2 has the one line "0::/path".
            foreach (var line in File.ReadLines("/proc/self/cgroup"))
            {
                if (line.StartsWith("0::", StringComparison.Ordinal))
                {
                    var path = line[3..];
                    return path.Contains("..", StringComparison.Ordinal) ? null : path;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static long? ReadLimit(string path)
    {
        try
        {
            return ParseLimit(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>A quantity of memory and where it was read.</summary>
/// <param name="Bytes">The bytes.</param>
/// <param name="Source">Where the figure comes from (<c>MemAvailable in /proc/meminfo</c>, a cgroup limit).</param>
public sealed record MemorySource(long Bytes, string Source);

/// <summary>The memory bound a run applies to the process's resident memory.</summary>
/// <param name="Bytes">The bound in bytes.</param>
/// <param name="IsDefault">True when derived from the machine, false when the user gave it.</param>
/// <param name="From">For a default bound, the available memory it is a share of.</param>
public sealed record MemoryBound(long Bytes, bool IsDefault, MemorySource? From)
{
    /// <summary>How the bound is described to the user, e.g. "12,000 MiB (default: 75% of 16,000 MiB, MemAvailable in /proc/meminfo)".</summary>
    public string Describe() => IsDefault && From is { } f
        ? string.Create(CultureInfo.InvariantCulture, $"{Bytes / Mib:N0} MiB resident (default: {ProcessMemory.DefaultShare * 100:0}% of {f.Bytes / Mib:N0} MiB, {f.Source})")
        : string.Create(CultureInfo.InvariantCulture, $"{Bytes / Mib:N0} MiB resident (--max-memory)");

    private const double Mib = 1024.0 * 1024.0;
}
