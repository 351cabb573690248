using System.Globalization;

namespace NatVerify.Benchmarks;

/// <summary>
/// The JIT configuration this process runs under, for the JSON records: throughput differs by 10–25% between them
/// (docs/performance.md, "JIT configuration"), so a figure without it cannot be compared.
/// </summary>
public static class JitSettings
{
    /// <summary>
    /// <c>tiered+pgo</c> (the runtime's default and the CLI's), <c>tiered</c> (tiering without dynamic PGO) or
    /// <c>full-opt</c> (every method fully optimised at first call, <c>DOTNET_TieredCompilation=0</c>).
    /// </summary>
    public static string Describe()
    {
        if (!Enabled("TieredCompilation", "System.Runtime.TieredCompilation"))
        {
            return "full-opt";
        }

        return Enabled("TieredPGO", "System.Runtime.TieredPGO") ? "tiered+pgo" : "tiered";
    }

    // The runtime reads DOTNET_X (or the older COMPlus_X) before the runtimeconfig.json property, as a hexadecimal
    // number where anything but 0 means on; both settings default to on.
    private static bool Enabled(string name, string property)
    {
        foreach (string prefix in (string[])["DOTNET_", "COMPlus_"])
        {
            string? value = Environment.GetEnvironmentVariable(prefix + name);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return !ulong.TryParse(value.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong number) || number != 0;
            }
        }

        return AppContext.GetData(property) switch
        {
            bool flag => flag,
            string text when bool.TryParse(text, out bool flag) => flag,
            _ => true,
        };
    }
}
