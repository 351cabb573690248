using System.Runtime.CompilerServices;

namespace NatVerify.Policy.Tests;

/// <summary>Paths of the repository, found from this source file (not the build output).</summary>
internal static class PolicyRepo
{
    public static string Root { get; } = FindRoot();

    public static string Fixture(string name) => Path.Combine(Root, "tests", "NatVerify.Policy.Tests", "Fixtures", name);

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nvq-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

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
