using System.Runtime.CompilerServices;
using NatVerify.Specs;

namespace NatVerify.Properties.Tests;

/// <summary>The seed specs of the repository, found from this file's source path (not the build output).</summary>
internal static class SeedSpecs
{
    public static string PathOf(string name, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "specs", "seed", name + ".yaml"));

    public static ScenarioSpec Load(string name) => SpecLoader.LoadFile(PathOf(name));
}
