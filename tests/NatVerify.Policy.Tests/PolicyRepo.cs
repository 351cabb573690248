
namespace NatVerify.Policy.Tests;

/// <summary>Paths of the repository, found from this source file (not the build output).</summary>
internal static class PolicyRepo
{
    public static string Root => TestSupport.RepositoryFiles.Root;

    public static string Fixture(string name) => Path.Combine(Root, "tests", "NatVerify.Policy.Tests", "Fixtures", name);

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nvq-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

}
