using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// Term construction over one Z3 context with light constant folding, so that concrete parts of a scenario
/// (marks, interfaces, protocols) disappear from the formulas instead of reaching the solver.
/// </summary>
internal sealed class Terms(Context ctx)
{
    private int _fresh;

    public Context Ctx => ctx;

    public BoolExpr True { get; } = ctx.MkTrue();

    public BoolExpr False { get; } = ctx.MkFalse();

    public BoolExpr Bool(bool value) => value ? True : False;

    /// <summary>True for this builder's own true constant (a reference check: no native call).</summary>
    public bool IsTrue(BoolExpr b) => ReferenceEquals(b, True);

    /// <summary>True for this builder's own false constant.</summary>
    public bool IsFalse(BoolExpr b) => ReferenceEquals(b, False);

    public BitVecExpr Bv(ulong value, uint width) => ctx.MkBV(value, width);

    public BitVecExpr BvVar(string name, uint width) => ctx.MkBVConst($"{name}!{_fresh++}", width);

    public BoolExpr BoolVar(string name) => ctx.MkBoolConst($"{name}!{_fresh++}");

    public Expr Var(string name, Sort sort) => ctx.MkConst($"{name}!{_fresh++}", sort);

    public BoolExpr Not(BoolExpr a) => IsTrue(a) ? False : IsFalse(a) ? True : ctx.MkNot(a);

    public BoolExpr And(params BoolExpr[] parts)
    {
        var kept = new List<BoolExpr>(parts.Length);
        foreach (var p in parts)
        {
            if (IsFalse(p))
            {
                return False;
            }

            if (!IsTrue(p))
            {
                kept.Add(p);
            }
        }

        return kept.Count switch
        {
            0 => True,
            1 => kept[0],
            _ => ctx.MkAnd(kept),
        };
    }

    public BoolExpr And(IEnumerable<BoolExpr> parts) => And(parts.ToArray());

    public BoolExpr Or(params BoolExpr[] parts)
    {
        var kept = new List<BoolExpr>(parts.Length);
        foreach (var p in parts)
        {
            if (IsTrue(p))
            {
                return True;
            }

            if (!IsFalse(p))
            {
                kept.Add(p);
            }
        }

        return kept.Count switch
        {
            0 => False,
            1 => kept[0],
            _ => ctx.MkOr(kept),
        };
    }

    public BoolExpr Or(IEnumerable<BoolExpr> parts) => Or(parts.ToArray());

    public BoolExpr Implies(BoolExpr a, BoolExpr b) => IsFalse(a) || IsTrue(b) ? True : IsTrue(a) ? b : ctx.MkImplies(a, b);

    public BoolExpr Eq(Expr a, Expr b)
    {
        if (ReferenceEquals(a, b))
        {
            return True;
        }

        if (a is BitVecNum x && b is BitVecNum y)
        {
            return Bool(x.BigInteger == y.BigInteger);
        }

        return ctx.MkEq(a, b);
    }

    public BoolExpr Ite(BoolExpr c, BoolExpr a, BoolExpr b) =>
        IsTrue(c) ? a : IsFalse(c) ? b : ReferenceEquals(a, b) ? a : (BoolExpr)ctx.MkITE(c, a, b);

    public BitVecExpr Ite(BoolExpr c, BitVecExpr a, BitVecExpr b) =>
        IsTrue(c) ? a : IsFalse(c) ? b : ReferenceEquals(a, b) ? a : (BitVecExpr)ctx.MkITE(c, a, b);

    public Expr Ite(BoolExpr c, Expr a, Expr b) =>
        IsTrue(c) ? a : IsFalse(c) ? b : ReferenceEquals(a, b) ? a : ctx.MkITE(c, a, b);

    /// <summary>Unsigned a &lt;= b.</summary>
    public BoolExpr Ule(BitVecExpr a, BitVecExpr b)
    {
        if (a is BitVecNum x && b is BitVecNum y)
        {
            return Bool(x.BigInteger <= y.BigInteger);
        }

        return ctx.MkBVULE(a, b);
    }

    /// <summary>Unsigned a &lt; b.</summary>
    public BoolExpr Ult(BitVecExpr a, BitVecExpr b)
    {
        if (a is BitVecNum x && b is BitVecNum y)
        {
            return Bool(x.BigInteger < y.BigInteger);
        }

        return ctx.MkBVULT(a, b);
    }

    /// <summary>lo &lt;= v &lt;= hi, unsigned.</summary>
    public BoolExpr InRange(BitVecExpr v, ulong lo, ulong hi) => And(Ule(Bv(lo, v.SortSize), v), Ule(v, Bv(hi, v.SortSize)));

    public BitVecExpr BvAnd(BitVecExpr a, BitVecExpr b) => ctx.MkBVAND(a, b);

    public BitVecExpr BvAdd(BitVecExpr a, BitVecExpr b) => ctx.MkBVAdd(a, b);
}
