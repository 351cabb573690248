using NatVerify.TestSupport;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>The shipped scenario specs (the shared corpus definition), relative to the repository root.</summary>
internal static class Specs
{
    public static string Root => RepositoryFiles.Root;

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string Text(string relative) => File.ReadAllText(Path(relative));

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var f in RepositoryFiles.ScenarioSpecs())
        {
            data.Add(System.IO.Path.GetRelativePath(Root, f));
        }

        return data;
    }
}
