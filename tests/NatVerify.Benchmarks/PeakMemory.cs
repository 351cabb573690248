using System.Globalization;

namespace NatVerify.Benchmarks;

/// <summary>The process's peak resident set size, from <c>/proc/self/status</c> (VmHWM), as /usr/bin/time reports it.</summary>
public static class PeakMemory
{
    public static long KiloBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return -1;
        }

        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
