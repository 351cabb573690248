using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Verification;

/// <summary>
/// Canonical bytes of a model state, and its packed form for the breadth-first queue. States are already canonical
/// (fresh ports renumbered by first use), so the canonical encoding is a plain field-by-field dump of every slot.
/// </summary>
/// <remarks>
/// <para>
/// A field added to <see cref="Slot"/> goes into <see cref="WriteSlot"/> (canonical), <see cref="PackSlot"/> and
/// <see cref="UnpackSlot"/> (same order in all three). <c>NatStateEncoderTests</c> fails when a reachable state of a
/// shipped spec does not survive <see cref="Pack"/> and <see cref="Unpack"/>.
/// </para>
/// <para>
/// The packed form numbers tuples by first use in this instance (a slot's two tuples are a few bytes instead of 34)
/// and writes the other fields as variable-length integers: about 8-10 bytes per slot instead of 47 for the
/// canonical bytes or about 70 for the <see cref="Slot"/> itself. It is not canonical across instances, so it is
/// never fingerprinted. One instance serves one run; <see cref="Pack"/> and <see cref="Unpack"/> are called from one
/// thread (<see cref="IStatePacker{TState}"/>), <see cref="Encode"/> from any.
/// </para>
/// </remarks>
public sealed class NatStateEncoder : IStateEncoder<NatState>, IStatePacker<NatState>
{
    private readonly Dictionary<ConntrackTuple, int> _tupleIds = [];
    private readonly List<ConntrackTuple> _tuples = [];
    private readonly NatSemantics? _ghostQuotient;
    private readonly ActorSymmetry? _symmetry;

    /// <summary>The canonical encoding of every field.</summary>
    public NatStateEncoder()
    {
    }

    /// <summary>
    /// The canonical encoding with the ghost fields reduced to what can still be observed
    /// (<see cref="NatSemantics.ObservableGhosts"/>): states differing only in unobservable bookkeeping share a
    /// fingerprint. Used with partial-order reduction; the encoding is then not decodable into the state.
    /// </summary>
    /// <param name="ghostQuotient">The semantics whose states are encoded; <see cref="NatSemantics.GhostQuotientSound"/> must hold.</param>
    public NatStateEncoder(NatSemantics ghostQuotient)
    {
        if (!ghostQuotient.GhostQuotientSound)
        {
            throw new ArgumentException($"the ghost quotient is not sound under mutant {ghostQuotient.Mutant}", nameof(ghostQuotient));
        }

        _ghostQuotient = ghostQuotient;
    }

    /// <summary>
    /// The canonical encoding of a representative of the state's orbit under <paramref name="symmetry"/> (states that
    /// differ only by a renaming of interchangeable actors share a fingerprint), with the ghost quotient when
    /// <paramref name="ghostQuotient"/> is given. Only the fingerprint changes: <see cref="Pack"/> keeps the state itself,
    /// so the search expands (and traces replay through) the concrete state it reached first.
    /// </summary>
    public NatStateEncoder(NatSemantics? ghostQuotient, ActorSymmetry symmetry)
        : this()
    {
        if (ghostQuotient is not null)
        {
            if (!ghostQuotient.GhostQuotientSound)
            {
                throw new ArgumentException($"the ghost quotient is not sound under mutant {ghostQuotient.Mutant}", nameof(ghostQuotient));
            }

            _ghostQuotient = ghostQuotient;
        }

        _symmetry = symmetry.Reduces ? symmetry : null;
    }

    /// <inheritdoc />
    public void Encode(NatState state, StateWriter writer)
    {
        if (_symmetry is { } symmetry)
        {
            state = symmetry.Canonical(state);
        }

        if (_ghostQuotient is { } semantics)
        {
            for (var i = 0; i < state.Count; i++)
            {
                WriteSlot(semantics.ObservableGhosts(state, i), writer);
            }

            return;
        }

        foreach (var s in state.Slots)
        {
            WriteSlot(s, writer);
        }
    }

    /// <inheritdoc />
    public void Pack(NatState state, StateWriter writer)
    {
        writer.WriteVarUInt64((ulong)state.Count);
        foreach (var s in state.Slots)
        {
            PackSlot(s, writer);
        }
    }

    /// <inheritdoc />
    public NatState Unpack(ReadOnlySpan<byte> packed)
    {
        var reader = new StateReader(packed);
        var slots = new Slot[(int)reader.ReadVarUInt64()];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = UnpackSlot(ref reader);
        }

        return NatState.FromCanonicalSlots(slots);
    }

    private static void WriteSlot(Slot s, StateWriter writer)
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

    private void PackSlot(Slot s, StateWriter writer)
    {
        writer.WriteByte((byte)s.Phase);
        writer.WriteVarUInt64((uint)s.Status);
        writer.WriteVarUInt64((ulong)IdOf(s.Reply));
        writer.WriteVarUInt64((ulong)IdOf(s.PreSrc));
        writer.WriteByte((byte)s.Partner);
        writer.WriteByte(s.BySourceOrder);
        writer.WriteVarUInt64(s.LinkedAtSrcProbe);
        writer.WriteByte(s.Attempt);
        writer.WriteVarUInt64(s.Mark);
        writer.WriteVarUInt64(s.CtMark);
        writer.WriteVarUInt64(s.DecidedBy);
    }

    private Slot UnpackSlot(ref StateReader reader)
    {
        var phase = (Phase)reader.ReadByte();
        var status = (CtStatus)(uint)reader.ReadVarUInt64();
        var reply = _tuples[(int)reader.ReadVarUInt64()];
        var preSrc = _tuples[(int)reader.ReadVarUInt64()];
        var partner = (sbyte)reader.ReadByte();
        var bySourceOrder = reader.ReadByte();
        var linkedAtSrcProbe = reader.ReadVarUInt64();
        var attempt = reader.ReadByte();
        var mark = (uint)reader.ReadVarUInt64();
        var ctMark = (uint)reader.ReadVarUInt64();
        var decidedBy = (ushort)reader.ReadVarUInt64();
        return new Slot(phase, reply, status, preSrc, partner, bySourceOrder, linkedAtSrcProbe, attempt, mark, ctMark, decidedBy);
    }

    private int IdOf(ConntrackTuple tuple)
    {
        if (!_tupleIds.TryGetValue(tuple, out var id))
        {
            id = _tuples.Count;
            _tuples.Add(tuple);
            _tupleIds.Add(tuple, id);
        }

        return id;
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
