using System.Diagnostics;

namespace NatVerify.Specs.Tests;

/// <summary>
/// Loads a ruleset into real netfilter in a private network namespace (prefix <c>nvr-</c>, deleted afterwards) with
/// <c>iptables-restore</c> and returns what <c>iptables-save</c> prints for it: the canonical form users' dumps have.
/// </summary>
internal static class KernelDump
{
    public static string? Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists);

    public static bool IsRoot => File.Exists("/proc/self/status") && File.ReadLines("/proc/self/status")
        .Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0");

    /// <summary>Restores <paramref name="rules"/> in a fresh namespace and returns the iptables-save output.</summary>
    public static string IptablesSave(string rules)
    {
        var ns = "nvr-" + Guid.NewGuid().ToString("N")[..10];
        Run("ip", ["netns", "add", ns], null);
        try
        {
            var (code, _, err) = Run("ip", ["netns", "exec", ns, "iptables-restore"], rules);
            if (code != 0)
            {
                throw new InvalidOperationException($"iptables-restore refused the ruleset: {err}");
            }

            var (saveCode, output, saveErr) = Run("ip", ["netns", "exec", ns, "iptables-save"], null);
            if (saveCode != 0)
            {
                throw new InvalidOperationException($"iptables-save failed: {saveErr}");
            }

            return output;
        }
        finally
        {
            Run("ip", ["netns", "del", ns], null);
        }
    }

    private static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, string? input)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{file} did not finish within 30 s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact that needs root and netfilter tools; skipped loudly when they are missing.</summary>
public sealed class NetfilterFactAttribute : FactAttribute
{
    public NetfilterFactAttribute()
    {
        var missing = new[] { "ip", "iptables-restore", "iptables-save" }.Where(c => KernelDump.Find(c) is null).ToList();
        if (!KernelDump.IsRoot)
        {
            Skip = "NOT RUN (counts as skipped, not passed): needs root to create network namespaces. Run the tests as root (scripts/test.sh).";
        }
        else if (missing.Count > 0)
        {
            Skip = $"NOT RUN (counts as skipped, not passed): {string.Join(", ", missing)} not installed; scripts/setup.sh installs them.";
        }
    }
}
