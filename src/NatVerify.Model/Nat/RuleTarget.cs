using NatVerify.Model.Addressing;

namespace NatVerify.Model.Nat;

/// <summary>What a nat-table rule does when it matches.</summary>
public abstract record RuleTarget;

/// <summary><c>-j SNAT --to-source</c>: <c>xt_snat_target_v2</c> calls <c>nf_nat_setup_info(SRC)</c> with the range.</summary>
public sealed record SnatTarget(NatRange Range) : RuleTarget;

/// <summary><c>-j DNAT --to-destination</c>: <c>xt_dnat_target_v2</c> calls <c>nf_nat_setup_info(DST)</c>.</summary>
public sealed record DnatTarget(NatRange Range) : RuleTarget;

/// <summary>
/// <c>-j MASQUERADE</c>: <c>nf_nat_masquerade_ipv4</c> maps the source to the out interface's address,
/// keeping the port range and random flags.
/// </summary>
public sealed record MasqueradeTarget(PortRange? Ports, NatRangeFlags Flags) : RuleTarget;

/// <summary>
/// <c>-j REDIRECT</c>: <c>nf_nat_redirect_ipv4</c> DNATs to the in interface's primary address
/// (127.0.0.1 at OUTPUT), optionally to <c>--to-ports</c>.
/// </summary>
public sealed record RedirectTarget(PortRange? Ports, NatRangeFlags Flags) : RuleTarget;

/// <summary><c>-j ACCEPT</c>: stop traversing; no manip initialised, so the null binding follows.</summary>
public sealed record AcceptTarget : RuleTarget;

/// <summary><c>-j RETURN</c>: return to the calling chain (or apply the built-in chain's policy).</summary>
public sealed record ReturnTarget : RuleTarget;

/// <summary><c>-j CHAIN</c> / <c>-g CHAIN</c>: jump (or go) to a user chain.</summary>
public sealed record JumpTarget(string Chain, bool IsGoto) : RuleTarget;

/// <summary><c>-j DROP</c> / nft <c>drop</c>: NF_DROP; a first packet dropped before confirm leaves its unconfirmed entry to be freed (<c>nf_conntrack_put</c> → <c>nf_ct_destroy</c>), never inserted.</summary>
public sealed record DropTarget : RuleTarget;

/// <summary><c>-j REJECT</c> / nft <c>reject</c>: the packet is dropped (<c>reject_tg</c> sends an error and returns NF_DROP).</summary>
public sealed record RejectTarget : RuleTarget;

/// <summary>
/// No verdict: the rule only runs its statements (MARK, CONNMARK, CT --notrack, LOG, counter) and traversal continues
/// with the next rule (<c>XT_CONTINUE</c> / <c>NFT_CONTINUE</c>).
/// </summary>
public sealed record ContinueTarget : RuleTarget;

/// <summary>
/// <c>-j NETMAP --to a.b.c.d/n</c> (<c>netmap_tg_setup</c>): keeps the host bits and replaces the prefix, at
/// PRE_ROUTING/LOCAL_OUT on the destination, at POST_ROUTING/LOCAL_IN on the source, as a MAP_IPS range of one address.
/// </summary>
public sealed record NetmapTarget(Addressing.Cidr To) : RuleTarget;

/// <summary>
/// A target the model does not interpret, kept only when the user asked to over-approximate
/// (<c>--assume-unmodelled may-do-anything</c>): accept, drop or continue are all possible, and every result says so.
/// </summary>
public sealed record UnmodelledTarget(string Construct, RuleLocation Location) : RuleTarget;
