using System.Runtime.CompilerServices;

namespace NatVerify.TestSupport;

/// <summary>
/// Where the repository is and which files under specs/ are scenario specs, shared by every test project (linked in
/// through tests/Directory.Build.props) so the corpus is defined once.
/// </summary>
internal static class RepositoryFiles
{
    /// <summary>The directory holding NatVerify.sln, found from this source file's compile-time path.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// Every scenario spec under specs/, absolute, in ordinal order. specs/policies holds inputs of
    /// <c>natverify policy</c> (rulesets, host facts, expected findings), not scenarios, and specs/scale holds scale
    /// benchmarks of millions of states (docs/performance.md); both are left out.
    /// </summary>
    public static IEnumerable<string> ScenarioSpecs() =>
        Directory.EnumerateFiles(Path.Combine(Root, "specs"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetRelativePath(Root, f) is var r
                && !r.StartsWith("specs/policies/", StringComparison.Ordinal) && !r.StartsWith("specs/scale/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

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
