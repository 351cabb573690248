using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>The shipped specs under <c>specs/</c>, found from the repository root.</summary>
internal static class Corpus
{
    public static string Root => TestSupport.RepositoryFiles.Root;

    public static IEnumerable<string> SpecFiles() =>
        TestSupport.RepositoryFiles.ScenarioSpecs();

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
}
