using NatVerify.Model.Nat;
using NatVerify.Specs;

namespace NatVerify.Policy.Inputs;

/// <summary>Reads a ruleset file in one of the formats <c>natverify policy</c> takes, detected from its content.</summary>
public static class RulesetLoader
{
    /// <summary>The format names (<c>--format</c> values and <see cref="PolicyReport.Format"/>).</summary>
    public static readonly IReadOnlyList<string> Formats = ["iptables-save", "nft", "nft-json"];

    /// <summary>
    /// The format of <paramref name="text"/>: <c>nft-json</c> when the first significant character is <c>{</c>,
    /// <c>iptables-save</c> when the first significant line is a table header <c>*name</c> (comments are <c>#</c> in
    /// both text formats), <c>nft</c> when it starts a <c>table</c>, <c>flush</c>, <c>add</c> or <c>define</c>
    /// statement; null when none fits.
    /// </summary>
    public static string? DetectFormat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('{') || line.StartsWith('['))
            {
                return "nft-json";
            }

            if (line.StartsWith('*'))
            {
                return "iptables-save";
            }

            var word = line.Split(' ', '\t')[0];
            return word is "table" or "flush" or "add" or "define" or "include" or "destroy" or "delete" ? "nft" : null;
        }

        return null;
    }

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
