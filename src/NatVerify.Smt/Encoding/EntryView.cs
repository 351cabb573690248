using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// What a lookup of the confirmed table found: whether any linked node matched and, if so, the entry owning it.
/// <see cref="Id"/> names the entry: an actor index (bounded model checking) or an element of the unbounded
/// entry sort (induction).
/// </summary>
internal sealed record EntryView(BoolExpr Found, Expr Id, SymTuple Orig, SymTuple Reply, BoolExpr OriginalLinked, BoolExpr NatDone, BoolExpr NatChanged);
