using NatVerify.Model.Nat;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Steps;

/// <summary>How a NAT hook decided a manip.</summary>
public enum NatDecision
{
    /// <summary>A rule's target (SNAT, DNAT, MASQUERADE, REDIRECT) called <c>nf_nat_setup_info</c>.</summary>
    Rule,

    /// <summary>No rule initialised the manip: <c>nf_nat_alloc_null_binding</c>.</summary>
    NullBinding,

    /// <summary>The rule's target dropped the packet (MASQUERADE/REDIRECT without an interface address).</summary>
    TargetDrop,

    /// <summary>A DROP/REJECT rule or a DROP policy of a nat chain dropped the packet (<c>nf_nat_inet_fn</c> returns NF_DROP).</summary>
    RuleDrop,
}

/// <summary>
/// A NAT hook decides one manip of a flow: <c>nf_nat_inet_fn</c> runs the nat chains (<c>ipt_do_table</c>, or
/// <c>nft_do_chain</c> for chains from nft)
/// and then either a target's <c>nf_nat_setup_info</c> or <c>nf_nat_alloc_null_binding</c>, both ending in
/// <c>get_unique_tuple</c> (and <c>nf_nat_l4proto_unique_tuple</c> when a search is needed). The probes
/// of the table are one RCU snapshot: nothing is reserved until confirm.
/// </summary>
/// <param name="Actor">The flow.</param>
/// <param name="Hook">The NAT hook.</param>
/// <param name="Decision">Rule or null binding.</param>
/// <param name="Rule">The rule text that matched, when <see cref="Decision"/> is <see cref="NatDecision.Rule"/>.</param>
/// <param name="Range">The range passed to <c>nf_nat_setup_info</c>.</param>
/// <param name="Before">The original-direction tuple before this manip (<c>curr</c>).</param>
/// <param name="After">The tuple chosen (<c>new</c>); the reply becomes its inverse.</param>
/// <param name="SearchFailed">True when the port search gave up and kept a tuple known to be taken.</param>
public sealed record NatSetup(
    int Actor, NatHook Hook, NatDecision Decision, string? Rule, NatRange? Range,
    ConntrackTuple Before, ConntrackTuple After, bool SearchFailed) : NatStep(Actor)
{
    /// <summary>The rule that decided (the NAT target's rule, or the DROP rule/policy); null for a null binding.</summary>
    public RuleRef? Decided { get; init; }

    /// <summary>
    /// A rule or policy of a chain after the NAT core (up to the next NAT core or confirm) that dropped the rewritten
    /// packet: the unconfirmed entry is freed (<c>nf_ct_destroy</c>). Null when the packet went on.
    /// </summary>
    public RuleRef? Filtered { get; init; }

    /// <summary>
    /// The rule or policy that decided every base chain the packet met in this step, in the order it met them
    /// (<c>ipt_do_table</c> / <c>nft_do_chain</c> per chain). Filled only when the step was computed with diagnostics
    /// (traces are); empty in the search's steps. Several entries for one chain: either decided (a random match).
    /// </summary>
    public IReadOnlyList<ChainDecision> Chains { get; init; } = [];

    /// <summary>Which half of the tuple the hook manipulates.</summary>
    public ManipType Manip => Hook.Manip();

    /// <inheritdoc />
    public override string KernelFunction => Decision switch
    {
        NatDecision.NullBinding => $"nf_nat_inet_fn({Hook.ChainName()}) -> nf_nat_alloc_null_binding -> nf_nat_setup_info({Manip.ToString().ToUpperInvariant()}) -> get_unique_tuple",
        NatDecision.TargetDrop => $"nf_nat_inet_fn({Hook.ChainName()}) -> {ChainWalker} -> target returned NF_DROP",
        NatDecision.RuleDrop => $"nf_nat_inet_fn({Hook.ChainName()}) -> nat chain returned NF_DROP -> nf_ct_destroy (never confirmed)",
        _ => $"nf_nat_inet_fn({Hook.ChainName()}) -> {ChainWalker} -> nf_nat_setup_info({Manip.ToString().ToUpperInvariant()}) -> get_unique_tuple",
    };

    // The rule's chain came from iptables-save (ipt_do_table) or nft (nft_do_chain); iptables when not known.
    private string ChainWalker => Decided?.ChainWalker ?? "ipt_do_table";
}
