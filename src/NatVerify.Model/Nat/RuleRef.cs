namespace NatVerify.Model.Nat;

/// <summary>A rule or base-chain policy that decided a flow's fate, as outcomes, traces and reports name it.</summary>
/// <param name="Name">Short name used as outcome detail: <c>TABLE/CHAIN#N</c> (1-based rule number in the chain) or <c>TABLE/CHAIN#policy</c>.</param>
/// <param name="Text">The rule's text, or the policy.</param>
/// <param name="Location">Where it came from, when known.</param>
public sealed record RuleRef(string Name, string Text, RuleLocation? Location)
{
    /// <summary>
    /// The front end of the table the rule or policy belongs to, when known: which chain walker the kernel ran for it
    /// (<c>ipt_do_table</c> for iptables-save input, <c>nft_do_chain</c> for nft text or JSON).
    /// </summary>
    public RuleSource? Source { get; init; }

    /// <summary>
    /// The kernel function that walks this rule's chain: <c>nft_do_chain</c> (net/netfilter/nf_tables_core.c) for a
    /// chain that came from nft, else <c>ipt_do_table</c> (net/ipv4/netfilter/ip_tables.c).
    /// </summary>
    public string ChainWalker => Source is RuleSource.NftText or RuleSource.NftJson ? "nft_do_chain" : "ipt_do_table";

    /// <inheritdoc />
    public override string ToString() => Location is null ? $"{Name} '{Text}'" : $"{Name} '{Text}' ({Location})";
}
