
namespace NatVerify.Reference.Tests;

/// <summary>The shipped specs under <c>specs/</c>, found from the repository root (the source file's location).</summary>
public static class ShippedSpecs
{
    public static string Root => TestSupport.RepositoryFiles.Root;

    public static IEnumerable<string> Files() =>
        TestSupport.RepositoryFiles.ScenarioSpecs();

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

}
