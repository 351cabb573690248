using System.Runtime.CompilerServices;
using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Properties;

/// <summary>
/// Tuple comparisons the properties make in every stored state, field by field instead of through a built tuple;
/// each is exactly the <see cref="ConntrackTuple"/> expression its name spells.
/// </summary>
internal static class TupleEquality
{
    /// <summary><c>a == b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Same(in ConntrackTuple a, in ConntrackTuple b) =>
        a.SrcPort.Raw == b.SrcPort.Raw && a.DstPort.Raw == b.DstPort.Raw && a.SrcIp.Value == b.SrcIp.Value && a.DstIp.Value == b.DstIp.Value
        && a.Protocol == b.Protocol;

    /// <summary><c>reply.Invert() == t</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InverseIs(in ConntrackTuple reply, in ConntrackTuple t) =>
        reply.Protocol == L4Protocol.Icmp
            ? reply.Invert() == t
            : reply.DstPort.Raw == t.SrcPort.Raw && reply.SrcPort.Raw == t.DstPort.Raw && reply.DstIp.Value == t.SrcIp.Value
              && reply.SrcIp.Value == t.DstIp.Value && reply.Protocol == t.Protocol;
}
