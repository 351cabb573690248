using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Testing;

namespace NatVerify.Properties.Tests;

/// <summary>
/// Every property of docs/properties.md over random scenarios (generated rulesets, 1-4 actors: flows on all three
/// paths, conntrack -I/-D, timeouts) and random schedules, on every kernel profile of the real kernel:
/// <see cref="NatSuites.DefaultCount"/> cases each, seed <see cref="TestSeed.Value"/>.
/// </summary>
public class CatalogueSuiteTests
{
    public static TheoryData<string, string> ProfilesAndProperties()
    {
        var data = new TheoryData<string, string>();
        foreach (var profile in KernelProfile.All)
        {
            foreach (var id in PropertyIds.All)
            {
                data.Add(profile.Name, id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProfilesAndProperties))]
    public void Real_kernel_keeps_the_property_in_every_state_of_random_schedules_of_random_scenarios(string profile, string property)
    {
        var settings = SuiteSettings.Generated(KernelProfile.Find(profile)!);
        var report = PropertyAssert.Holds(NatSuites.Catalogue(property, settings), NatSuites.DefaultCount, TestSeed.For(property + profile));
        Assert.Equal(NatSuites.DefaultCount, report.Cases);
    }

    [Fact]
    public void Real_kernel_keeps_every_property_for_random_flows_through_the_seed_ruleset()
    {
        var spec = SeedSpecs.Load("race-unconstrained");
        var settings = new SuiteSettings(spec.Profile, KernelMutant.None, Vocabulary.FromSpec(spec), new FixedRuleset(spec.Model.Ruleset, spec.RulesetText));
        foreach (var id in PropertyIds.All)
        {
            PropertyAssert.Holds(NatSuites.Catalogue(id, settings), 100, TestSeed.For("seed-ruleset" + id));
        }
    }
}
