using NatVerify.Model.Nat;

namespace NatVerify.Model.Steps;

/// <summary>
/// The first packet enters conntrack at <see cref="Hook"/>: <c>nf_conntrack_in</c> -> <c>resolve_normal_ct</c>
/// looks the original tuple up (<c>__nf_conntrack_find_get</c>, confirmed entries only); on a miss
/// <c>init_conntrack</c> creates a private, unconfirmed entry with reply = inverse of original.
/// </summary>
/// <param name="Actor">The flow.</param>
/// <param name="Hook">PRE_ROUTING or LOCAL_OUT.</param>
/// <param name="JoinedEntry">The actor whose confirmed entry matched (the packet joins it), or -1 when a new entry was created.</param>
/// <remarks>
/// The step also runs the base chains of the first hook around <c>nf_conntrack_in</c> (raw before it, mangle and the
/// rest up to the NAT core after it; <c>nf_hook_slow</c>), and for a packet that never gets an entry, the whole path.
/// </remarks>
public sealed record ConntrackIn(int Actor, NatHook Hook, int JoinedEntry) : NatStep(Actor)
{
    /// <summary>
    /// <see cref="State.Phase.Untracked"/> or <see cref="State.Phase.Filtered"/> when the rules ended the flow in this
    /// step (notrack, no conntrack, DROP/REJECT/DROP policy), <see cref="State.Phase.Invalid"/> when TCP conntrack judged
    /// the packet invalid for an existing entry; null otherwise.
    /// </summary>
    public State.Phase? Ended { get; init; }

    /// <summary>The rule or policy that dropped the packet or attached the untracked template, when one did.</summary>
    public RuleRef? Decided { get; init; }

    /// <summary>
    /// The rule or policy that decided every base chain the packet met in this step, in the order it met them
    /// (<c>ipt_do_table</c> / <c>nft_do_chain</c> per chain). Filled only when the step was computed with diagnostics
    /// (traces are); empty in the search's steps. Several entries for one chain: either decided (a random match).
    /// </summary>
    public IReadOnlyList<ChainDecision> Chains { get; init; } = [];

    /// <summary>
    /// The actor whose entry made the packet invalid (<c>tcp_packet</c> returned <c>-NF_ACCEPT</c>: a SYN in the reply
    /// direction of an answered or closed connection), or -1.
    /// </summary>
    public int InvalidFor { get; init; } = -1;

    /// <summary>True when conntrack is not active in the namespace (no rule called <c>nf_ct_netns_get</c>).</summary>
    public bool NoConntrack { get; init; }

    /// <inheritdoc />
    public override string KernelFunction => Ended switch
    {
        State.Phase.Untracked when NoConntrack => "nf_hook_slow: no conntrack hook registered (no rule called nf_ct_netns_get): untracked",
        State.Phase.Untracked => "nf_hook_slow -> ipt_do_table/nft_do_chain (notrack: nf_ct_set(skb, NULL, IP_CT_UNTRACKED)) -> nf_conntrack_in skips the packet",
        State.Phase.Invalid => "nf_conntrack_in -> resolve_normal_ct -> __nf_conntrack_find_get -> tcp_packet: sIV, -NF_ACCEPT (invalid, no conntrack)",
        State.Phase.Filtered when InvalidFor >= 0 => "nf_conntrack_in -> tcp_packet: sIV, -NF_ACCEPT (no conntrack); nf_hook_slow: NF_DROP (ctstate INVALID)",
        State.Phase.Filtered when JoinedEntry < 0 && Probes.Count > 0 => "nf_conntrack_in -> init_conntrack; nf_hook_slow: NF_DROP -> kfree_skb -> nf_conntrack_put -> nf_ct_destroy (never confirmed)",
        State.Phase.Filtered => "nf_hook_slow: NF_DROP before nf_conntrack_in (no entry created)",
        _ => JoinedEntry >= 0
            ? "nf_conntrack_in -> resolve_normal_ct -> __nf_conntrack_find_get"
            : "nf_conntrack_in -> resolve_normal_ct -> init_conntrack",
    };
}
