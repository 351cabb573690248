using NatVerify.Model;

namespace NatVerify.Properties;

/// <summary>What the NAT suites run against: kernel profile, mutant, vocabulary, and a fixed ruleset if any.</summary>
/// <param name="Profile">The kernel profile.</param>
/// <param name="Mutant">A deliberately broken kernel, or <see cref="KernelMutant.None"/>.</param>
/// <param name="Vocabulary">The values generators draw from.</param>
/// <param name="Ruleset">The user's ruleset, or <see langword="null"/> to generate rulesets.</param>
/// <param name="MaxSteps">The longest schedule replayed (generated scenarios finish far sooner).</param>
public sealed record SuiteSettings(KernelProfile Profile, KernelMutant Mutant, Vocabulary Vocabulary, FixedRuleset? Ruleset = null, int MaxSteps = 256)
{
    /// <summary>Stops the suite's property runs between cases (a whole-run bound of <c>natverify props</c>).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Generated rulesets over <see cref="Vocabulary.Default"/> on a profile, for the real kernel or a mutant.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="mutant">The mutant.</param>
    /// <returns>The settings.</returns>
    public static SuiteSettings Generated(KernelProfile profile, KernelMutant mutant = KernelMutant.None) =>
        new(profile, mutant, Vocabulary.Default);
}
