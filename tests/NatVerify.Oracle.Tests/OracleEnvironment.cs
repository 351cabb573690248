using NatVerify.Oracle.Agent;
using NatVerify.Oracle.Kernel;
using NatVerify.Specs;

namespace NatVerify.Oracle.Tests;

/// <summary>Where the repository and the natverify binary are, and whether the kernel oracle can run on this machine.</summary>
internal static class OracleEnvironment
{
    public static string Root => TestSupport.RepositoryFiles.Root;

    /// <summary>The natverify binary built next to the tests (the project references the CLI).</summary>
    public static AgentLaunch Agent => AgentLaunch.FromDirectory(AppContext.BaseDirectory);

    /// <summary>Null when the oracle can run; else the reason, which becomes the skip message.</summary>
    public static string? SkipReason
    {
        get
        {
            var missing = Prerequisites.Missing();
            return missing is null
                ? null
                : $"KERNEL ORACLE NOT RUN (counts as skipped, not passed): {missing}. Run the tests as root on Linux with iproute2, iptables and conntrack installed (scripts/setup.sh).";
        }
    }

    public static ScenarioSpec Load(string relative) => SpecLoader.LoadFile(Path.Combine(Root, relative));

    /// <summary>
    /// The oracle namespaces this test process created that exist now. Other test projects and CLI runs create
    /// and delete their own oracle namespaces at the same time, so before/after comparisons must look only at
    /// names carrying this process's id (<c>Netns</c> names them <c>nvo-PID-RUN-ROLE</c>).
    /// </summary>
    public static IReadOnlyList<string> OracleNamespaces() => OwnedBy(Netns.List(), Environment.ProcessId);

    /// <summary>The names among <paramref name="names"/> that the oracle process <paramref name="pid"/> created, sorted.</summary>
    public static IReadOnlyList<string> OwnedBy(IEnumerable<string> names, int pid)
    {
        var prefix = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Netns.Prefix}{pid}-");
        return names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Processes whose command line mentions the text (agents are started with '--run-id RUN').</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return found;
    }

}
