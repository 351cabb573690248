using FsCheck;

namespace NatVerify.Properties;

/// <summary>One property of a suite: cases to generate and shrink, and the check that must pass for each.</summary>
/// <typeparam name="T">The case type.</typeparam>
/// <param name="Name">Short stable name shown in tables (a property id, or <c>law:...</c>).</param>
/// <param name="Statement">What the property claims, in one sentence.</param>
/// <param name="Arbitrary">The FsCheck generator and shrinker of cases.</param>
/// <param name="Check">Returns <see langword="null"/> when the case passes, else why it fails.</param>
/// <param name="Describe">Prints a case for people (a failing one is printed after shrinking).</param>
/// <param name="Size">A one-line size of a case (actors, rules, steps).</param>
/// <param name="Normalize">
/// Optionally rewrites a failing case to an equivalent simpler one (e.g. its schedule cut at the failure), applied
/// after every accepted shrink; <see langword="null"/> for none.
/// </param>
public sealed record PropertyDefinition<T>(
    string Name,
    string Statement,
    Arbitrary<T> Arbitrary,
    Func<T, string?> Check,
    Func<T, string> Describe,
    Func<T, string> Size,
    Func<T, T>? Normalize = null);
