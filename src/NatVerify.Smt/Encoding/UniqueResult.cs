using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>The tuple <c>get_unique_tuple</c> returns, and whether its port search gave up.</summary>
internal sealed record UniqueResult(SymTuple Tuple, BoolExpr Failed);
