using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// The tuple <c>get_unique_tuple</c> returns, and whether its port search gave up; <see cref="Evicted"/>: whether
/// <c>nf_nat_used_tuple_harder</c> killed the entry <see cref="Victim"/> to reuse its reply tuple (null: never).
/// </summary>
internal sealed record UniqueResult(SymTuple Tuple, BoolExpr Failed, BoolExpr? Evicted = null, Expr? Victim = null);
