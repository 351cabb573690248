using System.Runtime.CompilerServices;

namespace NatVerify.Reference.Tests;

/// <summary>The shipped specs under <c>specs/</c>, found from the repository root (the source file's location).</summary>
public static class ShippedSpecs
{
    public static string Root { get; } = FindRoot();

    public static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Path.Combine(Root, "specs"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/specs/policies/", StringComparison.Ordinal) && !f.Contains("/specs/scale/", StringComparison.Ordinal)) // policy inputs; scale benchmarks of millions of states (docs/performance.md)
            .Order(StringComparer.Ordinal);

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    private static string FindRoot([CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NatVerify.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"NatVerify.sln not found above {source}");
    }
}
