using System.Runtime.CompilerServices;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>The shipped scenario specs, found from the repository root.</summary>
internal static class Specs
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string Text(string relative) => File.ReadAllText(Path(relative));

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(System.IO.Path.Combine(Root, "specs"), "*.yaml", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/specs/policies/", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(System.IO.Path.GetRelativePath(Root, f));
        }

        return data;
    }

    private static string FindRoot([CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(System.IO.Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "NatVerify.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"NatVerify.sln not found above {source}");
    }
}
