using NatVerify.Model.Tuples;

namespace NatVerify.Traces;

/// <summary>One linked entry of the confirmed table in a model state.</summary>
/// <param name="Owner">The actor owning the entry.</param>
/// <param name="Original">The original tuple.</param>
/// <param name="Reply">The reply tuple.</param>
/// <param name="Mark">The flow's mark (0 for ctnetlink entries).</param>
/// <param name="Flags">Status flags worth showing, in a fixed order (<c>SRC_NAT</c>, <c>DST_NAT</c>, <c>NAT_CLASH</c>, <c>expired</c>).</param>
public sealed record TableEntry(int Owner, ConntrackTuple Original, ConntrackTuple Reply, uint Mark, IReadOnlyList<string> Flags);
