using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>The shipped specs under <c>specs/</c>, found from the repository root.</summary>
internal static class Corpus
{
    public static string Root { get; } = FindRoot();

    public static IEnumerable<string> SpecFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "specs"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

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

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NatVerify.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("NatVerify.sln not found above the test directory");
    }
}
