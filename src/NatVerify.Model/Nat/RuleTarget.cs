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
