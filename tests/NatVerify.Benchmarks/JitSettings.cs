using System.Globalization;

namespace NatVerify.Benchmarks;

/// <summary>
/// The JIT configuration this process runs under, for the JSON records: throughput differs by 10–25% between them
/// (docs/performance.md, "JIT configuration"), so a figure without it cannot be compared.
/// </summary>
public static class JitSettings
{
    /// <summary>
    /// <c>full-opt</c> (every method fully optimised at first call, <c>DOTNET_TieredCompilation=0</c>), or
    /// <c>tiered</c> or <c>tiered+pgo</c> (dynamic PGO) followed by the call-counting delay in milliseconds, e.g.
    /// <c>tiered+pgo,delay=0</c> (this project's runtimeconfig) or <c>tiered+pgo,delay=100</c> (the runtime's default).
    /// </summary>
    public static string Describe()
    {
        if (!Enabled("TieredCompilation", "System.Runtime.TieredCompilation"))
        {
            return "full-opt";
        }

        string tiers = Enabled("TieredPGO", "System.Runtime.TieredPGO") ? "tiered+pgo" : "tiered";
        ulong delay = Number("TC_CallCountingDelayMs", "System.Runtime.TieredCompilation.CallCountingDelayMs") ?? 100;
        return string.Create(CultureInfo.InvariantCulture, $"{tiers},delay={delay}");
    }

    private static bool Enabled(string name, string property) => Number(name, property) is not 0;

    // The runtime reads DOTNET_X (or the older COMPlus_X) as a hexadecimal number before the runtimeconfig.json
    // property, which it reads as decimal; null when neither is set (or either is unreadable: the runtime's default).
    private static ulong? Number(string name, string property)
    {
        foreach (string prefix in (string[])["DOTNET_", "COMPlus_"])
        {
            string? value = Environment.GetEnvironmentVariable(prefix + name);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return ulong.TryParse(value.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong number) ? number : null;
            }
        }

        return AppContext.GetData(property) switch
        {
            bool flag => flag ? 1UL : 0UL,
            string text when bool.TryParse(text, out bool flag) => flag ? 1UL : 0UL,
            string text when ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong number) => number,
            _ => null,
        };
    }
}
