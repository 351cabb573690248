using NatVerify.Specs;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// How the oracle loads a spec's ruleset into the NAT namespace, in the notation it was written in: iptables-save text
/// with <c>iptables-restore</c>, <c>nft list ruleset</c> text with <c>nft -f -</c>, <c>nft -j list ruleset</c> JSON with
/// <c>nft -j -f -</c>. The notation is the spec reader's (<see cref="RulesetReader.Detect"/>), so the kernel gets exactly
/// what the model read. The text goes to the tool's standard input and the arguments are fixed: no shell, no file, no
/// part of the ruleset on a command line.
/// </summary>
public static class KernelRulesetLoader
{
    /// <summary>The tool, the Debian package that has it, and its fixed arguments for a ruleset text.</summary>
    public static (string Tool, string Package, IReadOnlyList<string> Arguments) Command(string rulesetText)
    {
        ArgumentNullException.ThrowIfNull(rulesetText);
        return RulesetReader.Detect(rulesetText) switch
        {
            RulesetFormat.Nft => ("nft", "nftables", ["-f", "-"]),
            RulesetFormat.NftJson => ("nft", "nftables", ["-j", "-f", "-"]),
            _ => ("iptables-restore", "iptables", []),
        };
    }

    /// <summary>Loads the ruleset exactly as written (nothing added); an empty ruleset loads nothing.</summary>
    public static void Load(string ns, string rulesetText)
    {
        ArgumentNullException.ThrowIfNull(rulesetText);
        if (rulesetText.Trim().Length == 0)
        {
            return;
        }

        var (tool, package, arguments) = Command(rulesetText);
        var result = Netns.Exec(ns, [Tools.Require(tool, package), .. arguments], rulesetText.EndsWith('\n') ? rulesetText : rulesetText + "\n");
        if (!result.Succeeded)
        {
            throw new OracleFailureException($"{tool} {string.Join(' ', arguments)} rejected the spec's ruleset: {result.Output}");
        }
    }
}
