namespace NatVerify.Oracle.Kernel;

/// <summary>Finds the system tools the oracle drives (ip, iptables-restore, conntrack), also in the sbin directories a non-login PATH may lack.</summary>
public static class Tools
{
    private static readonly string[] Fallback = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

    /// <summary>The absolute path of a tool, or null when it is not installed.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(Fallback))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The absolute path of a tool, or an <see cref="OracleUnavailableException"/> naming the package to install.</summary>
    public static string Require(string name, string package) =>
        Find(name) ?? throw new OracleUnavailableException($"'{name}' is not installed (Debian package {package}; scripts/setup.sh installs it)");
}
