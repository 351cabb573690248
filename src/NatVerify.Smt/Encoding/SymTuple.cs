using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// A conntrack tuple with symbolic fields at their real widths: protocol 8 bits, addresses 32, ports 16.
/// As in <c>ConntrackTuple</c>, an ICMP tuple holds the echo id in <see cref="SrcPort"/> and <c>type &lt;&lt; 8 | code</c>
/// in <see cref="DstPort"/>. The protocol of a tuple is a constant in BMC (each actor's own); the induction's tables
/// hold TCP and UDP entries only, so a symbolic protocol is never ICMP.
/// </summary>
internal sealed record SymTuple(BitVecExpr Proto, BitVecExpr SrcIp, BitVecExpr SrcPort, BitVecExpr DstIp, BitVecExpr DstPort)
{
    /// <summary>ICMP echo request type/code as the tuple stores it (8 &lt;&lt; 8).</summary>
    public const int IcmpEchoRequest = 8 << 8;

    /// <summary>True when the protocol is the constant ICMP.</summary>
    public bool IsIcmp => Proto is BitVecNum n && n.UInt64 == 1;

    /// <summary>
    /// True when the protocol is a constant without an L4 key (GRE version 0, any numbered protocol:
    /// <c>L4Protocol.IsPortless</c>): both key fields hold 0 and nothing searches them.
    /// </summary>
    public bool IsPortless => Proto is BitVecNum n && n.UInt64 is not (1 or 6 or 17);

    /// <summary>
    /// <c>nf_ct_invert_tuple</c>: swap addresses and L4 keys; for ICMP keep the id and map echo request to echo reply
    /// (<c>ConntrackTuple.Invert</c>).
    /// </summary>
    public SymTuple Invert()
    {
        if (!IsIcmp)
        {
            return new(Proto, DstIp, DstPort, SrcIp, SrcPort);
        }

        var ctx = DstPort.Context;
        var request = ctx.MkBV(IcmpEchoRequest, 16);
        var reply = ctx.MkBV(0, 16);
        var type = DstPort is BitVecNum n ? (n.UInt64 == IcmpEchoRequest ? reply : request)
            : (BitVecExpr)ctx.MkITE(ctx.MkEq(DstPort, request), reply, request);
        return new(Proto, DstIp, SrcPort, SrcIp, type);
    }

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
