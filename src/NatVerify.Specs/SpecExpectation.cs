namespace NatVerify.Specs;

/// <summary>What a spec expects the checker to find (the <c>expect:</c> section).</summary>
/// <param name="Verdict">The expected overall verdict, or null when the spec does not state one.</param>
/// <param name="ViolatedProperty">With <see cref="ExpectedVerdict.Violated"/>: the property id that must fail; else null.</param>
/// <param name="Outcomes">Actor name to the exact set of outcome patterns (<c>kind</c> or <c>kind:detail</c>) over all terminal states.</param>
/// <param name="Combinations">The exact set of joint outcomes (actor name to pattern), or null when the spec does not state it.</param>
/// <param name="Mutants">Mutant CLI name to the property id that mutant must violate on this spec.</param>
public sealed record SpecExpectation(
    ExpectedVerdict? Verdict,
    string? ViolatedProperty,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Outcomes,
    IReadOnlyList<IReadOnlyDictionary<string, string>>? Combinations,
    IReadOnlyDictionary<string, string> Mutants)
{
    /// <summary>The expectation of a spec without an <c>expect:</c> section: nothing is expected.</summary>
    public static SpecExpectation None { get; } = new(
        null, null, new Dictionary<string, IReadOnlyList<string>>(), null, new Dictionary<string, string>());
}
