using System.Globalization;

namespace NatVerify.Testing;

/// <summary>
/// The seed of every randomised test: a fixed value, so CI is reproducible, unless the environment variable
/// <c>NATVERIFY_SEED</c> gives another (decimal or 0x hex); failure messages print it.
/// </summary>
public static class TestSeed
{
    /// <summary>The environment variable that overrides the seed.</summary>
    public const string Variable = "NATVERIFY_SEED";

    /// <summary>The fixed default seed.</summary>
    public const ulong Default = 20250611;

    /// <summary>The seed in force.</summary>
    public static ulong Value { get; } = Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Reads a seed: null or empty gives <see cref="Default"/>; otherwise decimal or 0x hex.</summary>
    /// <param name="text">The variable's value.</param>
    /// <returns>The seed.</returns>
    /// <exception cref="FormatException">The text is not a 64-bit number.</exception>
    public static ulong Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        var t = text.Trim();
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok ? value : throw new FormatException($"{Variable}='{text}' is not a 64-bit decimal or 0x hex number");
    }

    /// <summary>A different, fixed stream for one test, so tests do not share cases: derived from the seed and a name.</summary>
    /// <param name="name">The test's stable name.</param>
    /// <returns>The derived seed.</returns>
    public static ulong For(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var h = 1469598103934665603UL;
        foreach (var ch in name)
        {
            h = (h ^ ch) * 1099511628211UL;
        }

        return Checker.Random.SplitMix64.Mix(Value ^ h);
    }
}
