namespace NatVerify.Model.Nat;

/// <summary>
/// How the walk of one base chain ended: the verdict <c>ipt_do_table</c> (net/ipv4/netfilter/ip_tables.c) or
/// <c>nft_do_chain</c> (net/netfilter/nf_tables_core.c) returned for the chain.
/// </summary>
public enum ChainEnd
{
    /// <summary>An ACCEPT rule (<c>NF_ACCEPT</c>, nft <c>accept</c>): the walk of this chain ends, the next base chain runs.</summary>
    Accept,

    /// <summary>A DROP or REJECT rule (<c>NF_DROP</c>).</summary>
    Drop,

    /// <summary>A NAT target set up the manip (<c>nf_nat_setup_info</c>).</summary>
    Nat,

    /// <summary>A NAT target returned <c>NF_DROP</c> itself (MASQUERADE/REDIRECT without an address).</summary>
    TargetDrop,

    /// <summary>
    /// No rule ended the walk: the base chain's end, or a RETURN in the base chain itself, applied the ACCEPT policy
    /// (<c>ipt_do_table</c>: the chain's underflow entry; <c>nft_do_chain</c>: <c>basechain->policy</c>).
    /// </summary>
    PolicyAccept,

    /// <summary>As <see cref="PolicyAccept"/>, with the DROP policy.</summary>
    PolicyDrop,
}

/// <summary>
/// The rule (or policy) that decided one base chain's verdict for a packet at one hook, for traces and reports. A
/// RETURN from a user chain is not a decision: it is in <see cref="Path"/>, and the walk goes on in the calling chain.
/// </summary>
/// <param name="Hook">The hook the chain is attached to.</param>
/// <param name="Chain"><c>TABLE/CHAIN</c> of the base chain.</param>
/// <param name="End">How the walk ended.</param>
/// <param name="Decider">The rule whose verdict ended the walk, or the base chain's policy (name <c>TABLE/CHAIN#policy</c>,
/// located at the chain's declaration).</param>
/// <param name="Path">The jump, goto and RETURN rules the walk took before the decision, in order.</param>
public sealed record ChainDecision(NetfilterHook Hook, string Chain, ChainEnd End, RuleRef Decider, IReadOnlyList<RuleRef> Path)
{
    /// <summary>The hook as iptables names its chains: <c>PREROUTING</c>, <c>INPUT</c>, <c>FORWARD</c>, <c>OUTPUT</c>, <c>POSTROUTING</c>.</summary>
    public string HookName => Hook switch
    {
        NetfilterHook.PreRouting => "PREROUTING",
        NetfilterHook.Input => "INPUT",
        NetfilterHook.Forward => "FORWARD",
        NetfilterHook.Output => "OUTPUT",
        _ => "POSTROUTING",
    };

    /// <summary>True when the chain's policy decided (no rule's verdict ended the walk).</summary>
    public bool ByPolicy => End is ChainEnd.PolicyAccept or ChainEnd.PolicyDrop;

    /// <summary>The verdict as the tools print it: <c>ACCEPT</c>, <c>DROP</c>, <c>NAT</c>, <c>target DROP</c>, <c>policy ACCEPT</c>, <c>policy DROP</c>.</summary>
    public string Verdict => End switch
    {
        ChainEnd.Accept => "ACCEPT",
        ChainEnd.Drop => "DROP",
        ChainEnd.Nat => "NAT",
        ChainEnd.TargetDrop => "target DROP",
        ChainEnd.PolicyAccept => "policy ACCEPT",
        _ => "policy DROP",
    };

    /// <inheritdoc />
    public bool Equals(ChainDecision? other) => other is not null && Hook == other.Hook && Chain == other.Chain && End == other.End
        && Decider == other.Decider && Path.SequenceEqual(other.Path);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Hook, Chain, End, Decider, Path.Count);

    /// <inheritdoc />
    public override string ToString() =>
        $"{HookName} {Chain}: {Verdict} by {Decider}{(Path.Count == 0 ? string.Empty : $" via {string.Join(", ", Path.Select(p => p.Name))}")}";
}
