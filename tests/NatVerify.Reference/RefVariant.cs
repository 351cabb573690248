using System.Globalization;
using System.Text.RegularExpressions;

namespace NatVerify.Reference;

/// <summary>
/// One scenario of the reference model: N racing flows, port domain 1..K, the choice mode, whether the ctnetlink
/// injector E is present, and whether confirm skips its clash check (the mutant).
/// Named like the SPIN benchmark: <c>N6_K16_nd_inj</c>, with <c>_mut</c> for the mutant.
/// </summary>
/// <param name="N">The number of flows (2 to 10).</param>
/// <param name="K">The size of the port domain (1 to 29).</param>
/// <param name="Choice">Deterministic or nondeterministic port choice.</param>
/// <param name="Inject">Whether the injector E is present.</param>
/// <param name="Mutant">Whether confirm inserts without a clash check.</param>
public sealed partial record RefVariant(int N, int K, ChoiceMode Choice, bool Inject, bool Mutant = false)
{
    /// <summary>Gets the variant's name, e.g. <c>N6_K16_nd_inj</c>.</summary>
    public string Name => string.Create(
        CultureInfo.InvariantCulture,
        $"N{N}_K{K}_{(Choice == ChoiceMode.Nd ? "nd" : "det")}{(Inject ? "_inj" : string.Empty)}{(Mutant ? "_mut" : string.Empty)}");

    /// <summary>Parses a variant name such as <c>N6_K16_nd_inj</c> or <c>N2_K4_det_mut</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The variant.</returns>
    /// <exception cref="FormatException">The name is not of that form or out of range.</exception>
    public static RefVariant Parse(string name)
    {
        Match m = NamePattern().Match(name);
        if (!m.Success)
        {
            throw new FormatException($"'{name}' is not a variant name like N6_K16_nd_inj (N, K, det|nd, optional _inj, optional _mut)");
        }

        int n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        int k = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var variant = new RefVariant(n, k, m.Groups[3].Value == "nd" ? ChoiceMode.Nd : ChoiceMode.Det, m.Groups[4].Success, m.Groups[5].Success);
        variant.Validate();
        return variant;
    }

    /// <summary>Throws <see cref="FormatException"/> when N or K are outside what the 64-bit state packing supports.</summary>
    public void Validate()
    {
        if (N < 2 || N > 10 || K < 1 || K > 29)
        {
            throw new FormatException($"{Name}: N must be 2..10 and K 1..29");
        }
    }

    [GeneratedRegex("^N([0-9]+)_K([0-9]+)_(det|nd)(_inj)?(_mut)?$")]
    private static partial Regex NamePattern();
}
