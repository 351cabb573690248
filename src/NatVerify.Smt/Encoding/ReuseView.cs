using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary><c>find_appropriate_src</c>'s answer: whether a bysource mapping may be reused, and the tuple it gives.</summary>
internal sealed record ReuseView(BoolExpr Found, SymTuple Tuple);
