using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// A conntrack tuple with symbolic fields at their real widths: protocol 8 bits, addresses 32, ports 16.
/// Only TCP and UDP are encoded, so inversion swaps addresses and ports (<c>nf_ct_invert_tuple</c>).
/// </summary>
internal sealed record SymTuple(BitVecExpr Proto, BitVecExpr SrcIp, BitVecExpr SrcPort, BitVecExpr DstIp, BitVecExpr DstPort)
{
    /// <summary>The reply direction of the tuple.</summary>
    public SymTuple Invert() => new(Proto, DstIp, DstPort, SrcIp, SrcPort);

    /// <summary><c>nf_ct_tuple_equal</c>.</summary>
    public BoolExpr Eq(Terms z, SymTuple other) => z.And(
        z.Eq(Proto, other.Proto), z.Eq(SrcIp, other.SrcIp), z.Eq(SrcPort, other.SrcPort), z.Eq(DstIp, other.DstIp), z.Eq(DstPort, other.DstPort));

    /// <summary>Field-wise if-then-else.</summary>
    public static SymTuple Ite(Terms z, BoolExpr c, SymTuple a, SymTuple b) => z.IsTrue(c) ? a : z.IsFalse(c) ? b : new(
        z.Ite(c, a.Proto, b.Proto), z.Ite(c, a.SrcIp, b.SrcIp), z.Ite(c, a.SrcPort, b.SrcPort), z.Ite(c, a.DstIp, b.DstIp), z.Ite(c, a.DstPort, b.DstPort));

    /// <summary>Fresh variables for every field.</summary>
    public static SymTuple Vars(Terms z, string name) => new(
        z.BvVar($"{name}.proto", 8), z.BvVar($"{name}.src", 32), z.BvVar($"{name}.sport", 16), z.BvVar($"{name}.dst", 32), z.BvVar($"{name}.dport", 16));

    /// <summary>The constraint that this tuple's fields equal another's (for state variables).</summary>
    public BoolExpr Assign(Terms z, SymTuple value) => Eq(z, value);
}
