namespace NatVerify.Model.Nat;

/// <summary>The five IPv4 netfilter hooks (<c>enum nf_inet_hooks</c>), in the order a packet can meet them.</summary>
public enum NetfilterHook
{
    /// <summary>NF_INET_PRE_ROUTING.</summary>
    PreRouting,

    /// <summary>NF_INET_LOCAL_IN.</summary>
    Input,

    /// <summary>NF_INET_FORWARD.</summary>
    Forward,

    /// <summary>NF_INET_LOCAL_OUT.</summary>
    Output,

    /// <summary>NF_INET_POST_ROUTING.</summary>
    PostRouting,
}

/// <summary>
/// The type of a base chain (<c>nft_chain_type</c>): <c>filter</c>, <c>nat</c> (called through the NAT core's hook,
/// <c>nf_nat_inet_fn</c>, only for packets of a new conntrack entry) or <c>route</c> (mangle OUTPUT: re-routes on a
/// changed mark).
/// </summary>
public enum ChainType
{
    /// <summary>NFT_CHAIN_T_DEFAULT.</summary>
    Filter,

    /// <summary>NFT_CHAIN_T_NAT.</summary>
    Nat,

    /// <summary>NFT_CHAIN_T_ROUTE.</summary>
    Route,
}

/// <summary>
/// Standard hook priorities (<c>enum nf_ip_hook_priorities</c>, include/uapi/linux/netfilter_ipv4.h), which the
/// iptables tables use and nft's named priorities (<c>raw</c>, <c>mangle</c>, <c>dstnat</c>, <c>filter</c>,
/// <c>security</c>, <c>srcnat</c>) stand for.
/// </summary>
public static class HookPriority
{
    /// <summary>NF_IP_PRI_RAW.</summary>
    public const int Raw = -300;

    /// <summary>NF_IP_PRI_CONNTRACK: <c>nf_conntrack_in</c> (ipv4_conntrack_in / ipv4_conntrack_local).</summary>
    public const int Conntrack = -200;

    /// <summary>NF_IP_PRI_MANGLE.</summary>
    public const int Mangle = -150;

    /// <summary>NF_IP_PRI_NAT_DST: the NAT core's DST hook (PRE_ROUTING, LOCAL_OUT).</summary>
    public const int NatDst = -100;

    /// <summary>NF_IP_PRI_FILTER.</summary>
    public const int Filter = 0;

    /// <summary>NF_IP_PRI_SECURITY.</summary>
    public const int Security = 50;

    /// <summary>NF_IP_PRI_NAT_SRC: the NAT core's SRC hook (POST_ROUTING, LOCAL_IN).</summary>
    public const int NatSrc = 100;

    /// <summary>NF_IP_PRI_CONNTRACK_CONFIRM (INT_MAX): <c>nf_confirm</c> / <c>__nf_conntrack_confirm</c>.</summary>
    public const int ConntrackConfirm = int.MaxValue;
}

/// <summary>
/// A base chain: a chain attached to a hook at a priority. iptables tables have fixed ones (e.g. mangle
/// PREROUTING at -150); nft declares them with <c>type ... hook ... priority ...; policy ...;</c>.
/// </summary>
/// <param name="Table">The key of the table that holds the chain (<see cref="RuleTable.Key"/>).</param>
/// <param name="Chain">The chain's name in that table.</param>
/// <param name="Hook">The hook.</param>
/// <param name="Priority">The numeric priority (lower runs first).</param>
/// <param name="Type">filter, nat or route.</param>
/// <param name="PolicyDrop">True when the chain's policy is DROP (the default policy is ACCEPT).</param>
public sealed record BaseChain(string Table, string Chain, NetfilterHook Hook, int Priority, ChainType Type, bool PolicyDrop)
{
    /// <summary>Where the chain was declared, when known.</summary>
    public RuleLocation? Location { get; init; }
}

/// <summary>Which front end produced a table: the semantics are the same, reports name it.</summary>
public enum RuleSource
{
    /// <summary>iptables-save (legacy or iptables-nft).</summary>
    Iptables,

    /// <summary>nft list ruleset (text).</summary>
    NftText,

    /// <summary>nft -j list ruleset (JSON).</summary>
    NftJson,
}

/// <summary>
/// One table: iptables' <c>raw</c>/<c>mangle</c>/<c>nat</c>/<c>filter</c>/<c>security</c>, or an nft table of family
/// <c>ip</c> or <c>inet</c>. Jumps and gotos resolve inside the table.
/// </summary>
/// <param name="Key">Unique key, e.g. <c>iptables nat</c> or <c>nft inet fw4</c>.</param>
/// <param name="Family">ip, inet (nft) or ip (iptables).</param>
/// <param name="Name">The table's name.</param>
/// <param name="Source">The front end.</param>
/// <param name="Chains">Every chain of the table by name.</param>
public sealed record RuleTable(string Key, string Family, string Name, RuleSource Source, IReadOnlyDictionary<string, NatChain> Chains)
{
    /// <summary>Where the table was declared, when known.</summary>
    public RuleLocation? Location { get; init; }
}
