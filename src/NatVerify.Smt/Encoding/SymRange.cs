using Microsoft.Z3;
using NatVerify.Model.Nat;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// <c>struct nf_nat_range2</c> with a possibly symbolic single address (the null binding's range holds the
/// packet's own, symbolic, address); port bounds and flags are always concrete.
/// </summary>
internal sealed record SymRange(bool MapIps, BitVecExpr MinAddr, BitVecExpr MaxAddr, bool ProtoSpecified, int MinProto, int MaxProto, bool RandomAll, NatRange? Concrete = null)
{
    /// <summary>A range of exactly one port (<c>--to-source A:P</c>): accepted without a uniqueness check.</summary>
    public bool SinglePort => ProtoSpecified && MinProto == MaxProto;

    /// <summary><c>__nf_nat_alloc_null_binding</c>: MAP_IPS with the current address, no PROTO_SPECIFIED.</summary>
    public static SymRange NullBinding(BitVecExpr address) => new(true, address, address, false, 0, 0, false);

    /// <summary>A rule's concrete range.</summary>
    public static SymRange Of(Terms z, NatRange range) => new(
        range.MapIps, z.Bv(range.MinAddr.Value, 32), z.Bv(range.MaxAddr.Value, 32), range.ProtoSpecified, range.MinProto, range.MaxProto, range.RandomAll, range);
}
