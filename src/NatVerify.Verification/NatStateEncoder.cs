using NatVerify.Checker;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Verification;

/// <summary>
/// Canonical bytes of a model state. States are already canonical (fresh ports renumbered by first use),
/// so the encoding is a plain field-by-field dump of every slot.
/// </summary>
public sealed class NatStateEncoder : IStateEncoder<NatState>
{
    /// <inheritdoc />
    public void Encode(NatState state, StateWriter writer)
    {
        foreach (var s in state.Slots)
        {
            writer.WriteByte((byte)s.Phase);
            writer.WriteUInt32((uint)s.Status);
            Write(s.Reply, writer);
            Write(s.PreSrc, writer);
            writer.WriteByte((byte)s.Partner);
            writer.WriteByte(s.BySourceOrder);
            writer.WriteInt64((long)s.LinkedAtSrcProbe);
            writer.WriteByte(s.Attempt);
            writer.WriteUInt32(s.Mark);
            writer.WriteUInt32(s.CtMark);
            writer.WriteUInt16(s.DecidedBy);
        }
    }

    private static void Write(ConntrackTuple t, StateWriter writer)
    {
        writer.WriteByte((byte)t.Protocol);
        writer.WriteUInt32(t.SrcIp.Value);
        writer.WriteInt32(t.SrcPort.Raw);
        writer.WriteUInt32(t.DstIp.Value);
        writer.WriteInt32(t.DstPort.Raw);
    }
}
