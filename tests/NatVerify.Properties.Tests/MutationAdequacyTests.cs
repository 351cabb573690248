using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Testing;
using Xunit.Abstractions;

namespace NatVerify.Properties.Tests;

/// <summary>
/// Mutation adequacy: for every kernel mutant (<see cref="KernelMutantNames.All"/>) and every profile, some property
/// of the catalogue fails within <see cref="NatSuites.DefaultCount"/> random cases, and the shrunk counterexample
/// is small (at most 3 actors, 1 rule, 10 steps, 3 switches).
/// </summary>
public class MutationAdequacyTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> MutantsAndProfiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var mutant in KernelMutantNames.All)
        {
            foreach (var profile in KernelProfile.All)
            {
                data.Add(mutant.CliName(), profile.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MutantsAndProfiles))]
    public void The_suites_kill_the_mutant_with_a_small_counterexample(string mutantName, string profileName)
    {
        Assert.True(KernelMutantNames.TryParse(mutantName, out var mutant));
        var settings = SuiteSettings.Generated(KernelProfile.Find(profileName)!, mutant);
        var seed = TestSeed.For("mutants");
        var killed = new List<(PropertyReport Report, CaseSize Size)>();
        foreach (var id in PropertyIds.All)
        {
            var report = PropertyRunner.Run(NatSuites.Catalogue(id, settings), seed, NatSuites.DefaultCount);
            if (report.Failure is { Shrunk: ScenarioCase shrunk })
            {
                var size = CaseReplay.Measure(shrunk, settings, id);
                killed.Add((report, size));
                output.WriteLine($"{mutantName} {profileName}: {id} fails at case {report.Failure.CaseIndex} (seed {report.Failure.CaseSeed}), shrunk to {size}: {report.Failure.Message}");
            }
        }

        Assert.True(killed.Count > 0, $"no property of the catalogue fails under {mutantName} on {profileName} within {NatSuites.DefaultCount} cases (seed {seed}, test seed {TestSeed.Value})");
        var (best, smallest) = killed.OrderBy(k => k.Size.Steps).First();
        Assert.True(
            smallest is { Actors: <= 3, Rules: <= 1, Steps: <= 10, Switches: <= 3 },
            $"the smallest counterexample under {mutantName} is too big: {smallest}\n{best.FailureText()}");
    }
}
