using System.Reflection;

namespace NatVerify.Cli;

/// <summary>The seed specs compiled into the binary, addressed as <c>seed:NAME</c>, so the default check needs no files.</summary>
internal static class EmbeddedSpecs
{
    /// <summary>The spec <c>natverify check</c> runs without an argument.</summary>
    public const string Default = "seed:race-unconstrained";

    /// <summary>Names of the embedded specs, e.g. <c>seed:thief-first</c>.</summary>
    public static IEnumerable<string> Names() => Assembly.GetExecutingAssembly().GetManifestResourceNames()
        .Where(n => n.StartsWith("seed/", StringComparison.Ordinal))
        .Select(n => "seed:" + Path.GetFileNameWithoutExtension(n["seed/".Length..]))
        .Order(StringComparer.Ordinal);

    /// <summary>The YAML text of an embedded spec, or null when there is none of that name.</summary>
    public static string? Read(string name)
    {
        if (!name.StartsWith("seed:", StringComparison.Ordinal))
        {
            return null;
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"seed/{name["seed:".Length..]}.yaml");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
