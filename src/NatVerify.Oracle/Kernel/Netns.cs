using System.Globalization;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// Network namespaces through <c>ip netns</c>. Every namespace the oracle creates is named
/// <c>nvo-PID-RANDOM-ROLE</c>: the prefix marks it as the oracle's, the PID tells whether its creator still runs.
/// </summary>
public static class Netns
{
    /// <summary>The prefix of every namespace the oracle creates.</summary>
    public const string Prefix = "nvo-";

    /// <summary>The namespaces that exist now (all of them, not only the oracle's).</summary>
    public static IReadOnlyList<string> List()
    {
        var result = ProcessRunner.Run(IpTool, ["netns", "list"]);
        if (!result.Succeeded)
        {
            throw new OracleFailureException($"ip netns list failed: {result.Output}");
        }

        // Lines look like "name (id: 3)" or just "name".
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .ToList();
    }

    /// <summary>A fresh base name for one run's namespaces: <c>nvo-PID-XXXXX</c> from the run's random source.</summary>
    public static string NewBaseName(Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{random.Next(0x10000, 0xfffff):x5}");

    /// <summary>Creates a namespace and tracks it for clean-up.</summary>
    public static void Add(string name)
    {
        OracleResources.Track(name);
        var result = ProcessRunner.Run(IpTool, ["netns", "add", name]);
        if (!result.Succeeded)
        {
            OracleResources.Untrack(name);
            throw new OracleFailureException($"cannot create network namespace {name}: {result.Output}");
        }
    }

    /// <summary>Deletes a namespace (no error when it is already gone) and stops tracking it.</summary>
    public static void Delete(string name)
    {
        ProcessRunner.Run(IpTool, ["netns", "delete", name]);
        OracleResources.Untrack(name);
    }

    /// <summary>
    /// Runs <c>ip</c> commands (one per line, without the word <c>ip</c>) in one process with <c>ip -n NS -batch -</c>;
    /// throws <see cref="OracleFailureException"/> naming the failing command when one fails.
    /// </summary>
    public static void IpBatch(string? ns, IReadOnlyList<string> commands)
    {
        if (commands.Count == 0)
        {
            return;
        }

        string[] arguments = ns is null ? ["-batch", "-"] : ["-n", ns, "-batch", "-"];
        var result = ProcessRunner.Run(IpTool, arguments, string.Join('\n', commands) + "\n");
        if (!result.Succeeded)
        {
            throw new OracleFailureException($"ip{(ns is null ? string.Empty : $" -n {ns}")} -batch failed: {result.Output} (commands: {string.Join("; ", commands)})");
        }
    }

    /// <summary><c>ip netns exec NS COMMAND...</c> with optional standard input.</summary>
    public static ProcessResult Exec(string ns, IReadOnlyList<string> command, string? stdin = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ProcessRunner.Run(IpTool, ["netns", "exec", ns, .. command], stdin, timeout, cancellationToken);

    /// <summary>Sets sysctls inside a namespace; throws when one cannot be set.</summary>
    public static void Sysctl(string ns, params string[] assignments)
    {
        var result = Exec(ns, [SysctlTool, "-q", "-e", "-w", .. assignments]);
        if (!result.Succeeded)
        {
            throw new OracleFailureException($"{result.Command} failed: {result.Output}");
        }
    }

    /// <summary>
    /// Deletes the oracle's namespaces whose creating process is gone (left behind by a run that was killed
    /// outright). Namespaces of live processes, this one included, are left alone. Returns the names deleted.
    /// </summary>
    public static IReadOnlyList<string> DeleteStale()
    {
        var deleted = new List<string>();
        foreach (var name in List())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var pidText = name[Prefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId
                || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            Delete(name);
            deleted.Add(name);
        }

        return deleted;
    }

    private static string IpTool => Tools.Require("ip", "iproute2");

    private static string SysctlTool => Tools.Require("sysctl", "procps");
}
