using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>The entry that steps: its identity, original tuple, current reply tuple and whether a manip changed it so far.</summary>
/// <param name="ActorIndex">The actor index in bounded model checking (lookups skip it), or null in the unbounded table.</param>
/// <param name="Id">The entry's identity term.</param>
/// <param name="Orig">The original tuple.</param>
/// <param name="Reply">The current reply tuple.</param>
/// <param name="NatChanged">IPS_SRC_NAT or IPS_DST_NAT is set.</param>
internal sealed record SelfView(int? ActorIndex, Expr Id, SymTuple Orig, SymTuple Reply, BoolExpr NatChanged);
