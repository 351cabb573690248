using NatVerify.Model.Nat;
using NatVerify.Specs;

namespace NatVerify.Policy.Inputs;

/// <summary>Reads a ruleset file in one of the formats <c>natverify policy</c> takes, detected from its content.</summary>
public static class RulesetLoader
{
    /// <summary>The format names (<c>--format</c> values and <see cref="PolicyReport.Format"/>).</summary>
    public static readonly IReadOnlyList<string> Formats = ["iptables-save", "nft", "nft-json"];

    /// <summary>
    /// The <see cref="Formats"/> name of <see cref="RulesetReader.TryDetect"/>'s notation (the spec reader's own
    /// detection, so a file reads the same in a spec and in <c>policy</c>); null when none fits.
    /// </summary>
    public static string? DetectFormat(string text) => RulesetReader.TryDetect(text) switch
    {
        RulesetFormat.IptablesSave => "iptables-save",
        RulesetFormat.Nft => "nft",
        RulesetFormat.NftJson => "nft-json",
        _ => null,
    };

    /// <summary>Reads, detects (unless forced) and parses the ruleset file.</summary>
    /// <param name="path">The file; also its display name in locations.</param>
    /// <param name="forcedFormat">A <see cref="Formats"/> value from <c>--format</c>, or null to detect.</param>
    /// <returns>The parsed ruleset and its format.</returns>
    /// <exception cref="SpecException">Unreadable, undetectable or malformed input, located.</exception>
    public static (NatRuleset Ruleset, string Format) Load(string path, string? forcedFormat)
    {
        var text = InputFiles.ReadText(path, InputFiles.MaxRulesetBytes);
        var format = forcedFormat ?? DetectFormat(text)
            ?? throw new SpecException(path, 1, 1, "cannot tell the ruleset format: expected iptables-save output (starting with '*table'), 'nft list ruleset' text (starting with 'table') or 'nft -j list ruleset' JSON (starting with '{'); use --format to force one");
        if (!Formats.Contains(format))
        {
            throw new SpecException(path, 1, 1, $"unknown format '{format}'; expected one of {string.Join(", ", Formats)}");
        }

        return (Parse(text, path, format), format);
    }

    /// <summary>The one place a format is dispatched to its parser (the same reader specs use).</summary>
    private static NatRuleset Parse(string text, string path, string format)
    {
        var ruleset = RulesetReader.Parse(text, path, format switch
        {
            "iptables-save" => RulesetFormat.IptablesSave,
            "nft" => RulesetFormat.Nft,
            _ => RulesetFormat.NftJson,
        });
        ChainGraph.CheckNoLoops(ruleset, path);
        return ruleset;
    }
}
