using NatVerify.Model;
using NatVerify.Testing;

namespace NatVerify.Properties.Tests;

/// <summary>
/// The laws of the model over random scenarios and schedules (seed <see cref="TestSeed.Value"/>): tuple inversion is
/// an involution, steps are pure and deterministic, states are canonical and canonicalisation is idempotent and
/// blind to fresh-port renaming, fingerprints are equal exactly for equal states (breadth-first, up to 2000 states
/// per scenario).
/// </summary>
public class LawSuiteTests
{
    public static TheoryData<string> Profiles() => [.. KernelProfile.All.Select(p => p.Name)];

    [Fact]
    public void Inverting_a_tuple_twice_gives_it_back()
    {
        PropertyAssert.Holds(NatSuites.InvertInvolution(Vocabulary.Default), 1000, TestSeed.For("invert"));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Steps_never_mutate_their_input_and_are_deterministic(string profile)
    {
        PropertyAssert.Holds(NatSuites.StepsPure(SuiteSettings.Generated(KernelProfile.Find(profile)!)), 200, TestSeed.For("pure" + profile));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Canonical_form_is_idempotent_and_blind_to_renaming_fresh_ports(string profile)
    {
        PropertyAssert.Holds(NatSuites.CanonicalForm(SuiteSettings.Generated(KernelProfile.Find(profile)!)), 200, TestSeed.For("canon" + profile));
    }

    [Fact]
    public void Fingerprints_are_equal_exactly_for_equal_reachable_states()
    {
        PropertyAssert.Holds(NatSuites.FingerprintStable(SuiteSettings.Generated(KernelProfile.Linux612)), 60, TestSeed.For("fingerprint"));
    }

    [Fact]
    public void Shifting_fresh_port_numbers_is_a_real_renaming()
    {
        // The canonical-form law is only meaningful if some reachable states hold fresh ports to rename.
        var settings = SuiteSettings.Generated(KernelProfile.Linux612);
        var arbitrary = NatGen.CaseArbitrary(settings);
        var seed = TestSeed.For("fresh");
        var renamedSome = false;
        for (var i = 0; i < 200 && !renamedSome; i++, seed = PropertyRunner.NextSeed(seed))
        {
            var c = PropertyRunner.Generate(arbitrary, seed);
            var replay = CaseReplay.Run(c, settings, []);
            foreach (var step in replay.Trace.Steps)
            {
                var slots = step.Next.Slots.ToArray();
                renamedSome |= !FreshRenaming.Shift(slots).AsSpan().SequenceEqual(slots);
            }
        }

        Assert.True(renamedSome, "no state with a fresh port in 200 random cases: the renaming law tests nothing");
    }
}
