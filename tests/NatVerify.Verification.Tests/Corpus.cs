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

    /// <summary>The semantics of a shipped spec under the real kernel and under every mutant, in enum order.</summary>
    public static IEnumerable<NatVerify.Model.Semantics.NatSemantics> UnderEveryMutant(string relative)
    {
        var spec = Load(relative);
        foreach (var mutant in Enum.GetValues<NatVerify.Model.KernelMutant>())
        {
            yield return new NatVerify.Model.Semantics.NatSemantics(spec.Model, spec.Profile, mutant);
        }
    }

    /// <summary>
    /// Every reachable state of the semantics, breadth-first from the initial state (the search's order), through the
    /// search's successors (no diagnostics).
    /// </summary>
    public static IEnumerable<NatVerify.Model.State.NatState> Reachable(NatVerify.Model.Semantics.NatSemantics semantics)
    {
        var seen = new HashSet<NatVerify.Model.State.NatState> { semantics.Initial };
        var queue = new Queue<NatVerify.Model.State.NatState>(seen);
        var successors = new List<(NatVerify.Model.Steps.NatStep Step, NatVerify.Model.State.NatState Next)>();
        while (queue.TryDequeue(out var state))
        {
            yield return state;
            successors.Clear();
            semantics.Successors(state, successors, diagnostics: false);
            foreach (var (_, next) in successors)
            {
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }
    }

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
