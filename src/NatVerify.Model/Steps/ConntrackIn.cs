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
public sealed record ConntrackIn(int Actor, NatHook Hook, int JoinedEntry) : NatStep(Actor)
{
    /// <inheritdoc />
    public override string KernelFunction => JoinedEntry >= 0
        ? "nf_conntrack_in -> resolve_normal_ct -> __nf_conntrack_find_get"
        : "nf_conntrack_in -> resolve_normal_ct -> init_conntrack";
}
