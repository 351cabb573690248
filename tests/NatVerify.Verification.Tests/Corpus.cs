using System.Runtime.CompilerServices;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>The shipped specs under <c>specs/</c>, found from the repository root.</summary>
internal static class Corpus
{
    public static string Root { get; } = FindRoot();

    public static IEnumerable<string> SpecFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "specs"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/specs/policies/", StringComparison.Ordinal) && !f.Contains("/specs/scale/", StringComparison.Ordinal)) // policy inputs; scale benchmarks of millions of states (docs/performance.md)
            .Order(StringComparer.Ordinal);

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    public static ScenarioSpec Load(string relative) => SpecLoader.LoadFile(Path.Combine(Root, relative));

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var f in SpecFiles())
        {
            data.Add(Relative(f));
        }

        return data;
    }

    // The source file's own location, so the tests find specs/ whatever the build output path is.
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
