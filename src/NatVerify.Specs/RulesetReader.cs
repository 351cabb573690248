using NatVerify.Model.Nat;
using NatVerify.Specs.Nft;

namespace NatVerify.Specs;

/// <summary>The notations a ruleset can be given in.</summary>
public enum RulesetFormat
{
    /// <summary><c>iptables-save</c> (or <c>iptables-nft-save</c>) output.</summary>
    IptablesSave,

    /// <summary><c>nft list ruleset</c> output.</summary>
    Nft,

    /// <summary><c>nft -j list ruleset</c> output.</summary>
    NftJson,
}

/// <summary>
/// Reads a ruleset in any supported notation onto the rule model: detects the notation from the content (or takes a
/// forced one) and hands the text to <see cref="IptablesSaveParser"/>, <see cref="NftTextParser"/> or
/// <see cref="NftJsonParser"/>.
/// </summary>
public static class RulesetReader
{
    /// <summary>
    /// The notation of <paramref name="text"/> from its first significant line (<c>#</c> comment lines are skipped):
    /// <c>{</c> or <c>[</c> is nft JSON, a table header <c>*name</c> is iptables-save, a line whose first word is an nft
    /// command (<c>table</c>, <c>flush</c>, <c>add</c>, <c>define</c>, <c>include</c>, <c>destroy</c>, <c>delete</c>) is
    /// nft text; null when none fits (or the text is empty).
    /// </summary>
    public static RulesetFormat? TryDetect(string text)
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
                return RulesetFormat.NftJson;
            }

            if (line.StartsWith('*'))
            {
                return RulesetFormat.IptablesSave;
            }

            var word = line.Split(' ', '\t')[0];
            return word is "table" or "flush" or "add" or "define" or "include" or "destroy" or "delete" ? RulesetFormat.Nft : null;
        }

        return null;
    }

    /// <summary>
    /// The notation a spec's ruleset is read in: <see cref="TryDetect"/>, and iptables-save for anything else
    /// (<c>:CHAIN</c>, <c>-A</c>, <c>COMMIT</c>, empty), whose parser then locates what it cannot read.
    /// </summary>
    public static RulesetFormat Detect(string text) => TryDetect(text) ?? RulesetFormat.IptablesSave;

    /// <summary>Parses <paramref name="text"/> in the given (or detected) notation.</summary>
    /// <param name="text">The ruleset.</param>
    /// <param name="file">Display path used in locations.</param>
    /// <param name="format">Forced notation; null detects it with <see cref="Detect"/>.</param>
    /// <param name="options">nft over-approximation choice (iptables-save follows its own parser's rules).</param>
    /// <param name="firstLine">Where line 1 of <paramref name="text"/> sits in <paramref name="file"/>.</param>
    /// <param name="firstColumn">Where column 1 of every line of <paramref name="text"/> sits in <paramref name="file"/>.</param>
    /// <exception cref="SpecException">The text is malformed or uses a construct the model does not cover.</exception>
    public static NatRuleset Parse(string text, string file, RulesetFormat? format = null, NftParseOptions? options = null, int firstLine = 1, int firstColumn = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var chosen = format ?? Detect(text);
        if (chosen == RulesetFormat.IptablesSave)
        {
            return IptablesSaveParser.Parse(text, file, firstLine, firstColumn);
        }

        // No catch-all here: an exception other than SpecException is a bug in the reader, and must reach the CLI's
        // internal-error boundary (exit 4), not pass for bad input (exit 2). The fuzzers hold the readers to that.
        return chosen == RulesetFormat.Nft
            ? NftTextParser.Parse(text, file, options, firstLine, firstColumn)
            : NftJsonParser.Parse(text, file, options, firstLine, firstColumn);
    }
}
