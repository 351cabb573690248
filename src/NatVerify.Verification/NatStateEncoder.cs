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
/// A field added to <see cref="Slot"/> goes into <see cref="WriteSlot"/> (canonical); the packed form needs nothing,
/// since it numbers whole slots.
/// </para>
/// <para>
/// The packed form numbers each actor's distinct <see cref="Slot"/> values by first use in this instance and writes a
/// state as one variable-length slot number per actor: an actor goes through few distinct slots in a run (its phases,
/// the tuples NAT can pick, the status and ghost bits), so a state of six actors packs into about 8-12 bytes, against
/// about 47 per slot for the canonical bytes or 72 per slot for the objects. The breadth-first queue holds a large
/// share of all states (6.5 M of 15 M for three seed races), so this is most of what a waiting state costs. The
/// numbering is not canonical across instances, so it is never fingerprinted. One instance serves one run;
/// <see cref="Pack"/> and <see cref="Unpack"/> are called from one thread (<see cref="IStatePacker{TState}"/>),
/// <see cref="Encode"/> from any.
/// </para>
/// </remarks>
public sealed class NatStateEncoder : IStateEncoder<NatState>, IStatePacker<NatState>
{
    // Per actor: slot value -> number, and number -> slot value (only Pack and Unpack touch them: one thread).
    private readonly NatSemantics? _ghostQuotient;
    private Dictionary<Slot, int>[] _slotIds = [];
    private List<Slot>[] _slots = [];

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

    /// <inheritdoc />
    public void Encode(NatState state, StateWriter writer)
    {
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
        var slots = state.Slots;
        if (_slotIds.Length < slots.Length)
        {
            Grow(slots.Length);
        }

        writer.WriteVarUInt64((ulong)slots.Length);
        for (var i = 0; i < slots.Length; i++)
        {
            var ids = _slotIds[i];
            if (!ids.TryGetValue(slots[i], out var id))
            {
                id = ids.Count;
                ids.Add(slots[i], id);
                _slots[i].Add(slots[i]);
            }

            writer.WriteVarUInt64((ulong)id);
        }
    }

    /// <inheritdoc />
    public NatState Unpack(ReadOnlySpan<byte> packed)
    {
        var reader = new StateReader(packed);
        var slots = new Slot[(int)reader.ReadVarUInt64()];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = _slots[i][(int)reader.ReadVarUInt64()];
        }

        return NatState.FromCanonicalSlots(slots);
    }

    private void Grow(int actors)
    {
        var ids = new Dictionary<Slot, int>[actors];
        var slots = new List<Slot>[actors];
        for (var i = 0; i < actors; i++)
        {
            ids[i] = i < _slotIds.Length ? _slotIds[i] : [];
            slots[i] = i < _slots.Length ? _slots[i] : [];
        }

        _slotIds = ids;
        _slots = slots;
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

    private static void Write(ConntrackTuple t, StateWriter writer)
    {
        writer.WriteByte((byte)t.Protocol);
        writer.WriteUInt32(t.SrcIp.Value);
        writer.WriteInt32(t.SrcPort.Raw);
        writer.WriteUInt32(t.DstIp.Value);
        writer.WriteInt32(t.DstPort.Raw);
    }
}
