using System.Globalization;
using NatVerify.Model;

namespace NatVerify.Policy.Inputs;

/// <summary>
/// Maps a kernel version (<c>--kernel 6.18</c>, the context file's <c>kernel</c>) onto the nearest shipped profile by
/// the behaviour boundaries of docs/kernel-mapping.md, and says what differs when the version sits between them.
/// </summary>
public static class KernelVersions
{
    /// <summary>The profile for <paramref name="version"/> and a sentence for the report.</summary>
    /// <exception cref="FormatException">The version is not MAJOR.MINOR[...].</exception>
    public static (KernelProfile Profile, string Explanation) ForVersion(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var parts = version.Split('.', '-', '+', '~');
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            throw new FormatException($"kernel version '{version}' is not MAJOR.MINOR (e.g. 6.12)");
        }

        var v = (major * 1000) + minor;
        if (v >= 6012)
        {
            return (KernelProfile.Linux612, $"kernel {version} -> profile linux-6.12 (6.12 and later: nf_nat_used_tuple_new, reverse-match clash merge)");
        }

        if (v >= 5015)
        {
            return (KernelProfile.Linux515, $"kernel {version} -> profile linux-5.15 (5.15 to 6.11)");
        }

        if (v >= 5006)
        {
            return (KernelProfile.Linux515,
                $"kernel {version} -> profile linux-5.15, the nearest: it has 5.6's NAT_CLASH entries, but before 5.15 the SNAT port search scans the whole range instead of capped random probes");
        }

        if (v >= 4019)
        {
            return (KernelProfile.Linux419,
                $"kernel {version} -> profile linux-4.19, the nearest" + (v >= 5000 ? ": 5.0 to 5.5 also skip entries with the same original tuple in nf_conntrack_tuple_taken, which the 4.19 profile does not" : string.Empty));
        }

        return (KernelProfile.Linux419, $"kernel {version} -> profile linux-4.19, the oldest shipped profile; older kernels are not modelled and may differ");
    }
}
