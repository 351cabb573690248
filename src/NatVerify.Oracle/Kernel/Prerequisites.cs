using System.Globalization;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// Whether the oracle can run here: Linux, root, the tools (ip, iptables-restore, conntrack, sysctl), and a
/// network namespace that can be created, can reach ctnetlink and can be deleted. Checked once per process.
/// </summary>
public static class Prerequisites
{
    private static readonly object Lock = new();
    private static string? _missing;
    private static bool _checked;

    /// <summary>Null when the oracle can run; otherwise what is missing, in words.</summary>
    public static string? Missing()
    {
        lock (Lock)
        {
            if (!_checked)
            {
                _missing = Probe();
                _checked = true;
            }

            return _missing;
        }
    }

    /// <summary>Throws <see cref="OracleUnavailableException"/> when the oracle cannot run.</summary>
    public static void Require()
    {
        if (Missing() is { } missing)
        {
            throw new OracleUnavailableException(missing);
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the kernel oracle needs Linux (network namespaces, netfilter)";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "the kernel oracle needs root (it creates network namespaces and loads NAT rules into them)";
        }

        foreach (var (tool, package) in new[] { ("ip", "iproute2"), ("iptables-restore", "iptables"), ("iptables", "iptables"), ("conntrack", "conntrack"), ("sysctl", "procps") })
        {
            if (Tools.Find(tool) is null)
            {
                return $"'{tool}' is not installed (Debian package {package}; scripts/setup.sh installs it)";
            }
        }

        var probe = string.Create(CultureInfo.InvariantCulture, $"{Netns.Prefix}{Environment.ProcessId}-probe{Random.Shared.Next(0x1000, 0xffff):x}");
        try
        {
            Netns.Add(probe);
            var listing = Netns.Exec(probe, [Tools.Find("conntrack")!, "-L"]);
            if (!listing.Succeeded)
            {
                return $"conntrack -L fails inside a network namespace (is nf_conntrack_netlink available?): {listing.Output}";
            }

            var tables = Netns.Exec(probe, [Tools.Find("iptables-restore")!], "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
            if (!tables.Succeeded)
            {
                return $"iptables-restore cannot load a nat table inside a network namespace: {tables.Output}";
            }

            return null;
        }
        catch (OracleFailureException e)
        {
            return $"cannot use network namespaces: {e.Message}";
        }
        finally
        {
            Netns.Delete(probe);
        }
    }
}
