using System.Buffers.Binary;
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
/// about 62 per slot for the canonical bytes or 72 per slot for the objects. The breadth-first queue holds a large
/// share of all states (6.5 M of 15 M for three seed races), so this is most of what a waiting state costs. The
/// numbering is not canonical across instances, so it is never fingerprinted. One instance serves one run;
/// <see cref="Pack"/> and <see cref="Unpack"/> are called from one thread (<see cref="IStatePacker{TState}"/>),
/// <see cref="Encode"/> from any.
/// </para>
/// </remarks>
public sealed class NatStateEncoder : IStateEncoder<NatState>, IStatePacker<NatState>
{
    private readonly NatSemantics? _ghostQuotient;
    private readonly ActorSymmetry? _symmetry;

    // Per actor: slot value -> number, and number -> slot value (only Pack and Unpack touch them: one thread).
    private Dictionary<Slot, int>[] _slotIds = [];
    private List<Slot>[] _slots = [];

    // Per actor: the slot packed last and its number (-1: none yet). States are packed as they are stored, and the new
    // successors of one state differ from it (and from each other) in one or two slots, so most slots are the one
    // packed just before: one comparison instead of a hash and a dictionary probe (the lookups were 15% of an
    // unreduced search).
    private Slot[] _lastSlot = [];
    private int[] _lastId = [];

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

        // Every successor is encoded: the slots are laid out in one stack buffer and written at once (64 actors: 3.9 KiB, 1,024: 62 KiB).
        Span<byte> bytes = stackalloc byte[SlotBytes * state.Count];
        if (_ghostQuotient is { } semantics)
        {
            for (var i = 0; i < state.Count; i++)
            {
                WriteSlot(semantics.ObservableGhosts(state, i), bytes.Slice(i * SlotBytes, SlotBytes));
            }
        }
        else
        {
            var slots = state.Slots;
            for (var i = 0; i < slots.Length; i++)
            {
                WriteSlot(slots[i], bytes.Slice(i * SlotBytes, SlotBytes));
            }
        }

        writer.WriteBytes(bytes);
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
        var lastSlot = _lastSlot;
        var lastId = _lastId;
        for (var i = 0; i < slots.Length; i++)
        {
            ref readonly var slot = ref slots[i];
            var id = lastId[i];
            if (id < 0 || !SlotComparer.Same(slot, lastSlot[i]))
            {
                var ids = _slotIds[i];
                // The comparer hashes the fields directly (a record struct's own hash goes through a comparer per field).
                if (!ids.TryGetValue(slot, out id))
                {
                    id = ids.Count;
                    ids.Add(slot, id);
                    _slots[i].Add(slot);
                }

                lastSlot[i] = slot;
                lastId[i] = id;
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
            ids[i] = i < _slotIds.Length ? _slotIds[i] : new Dictionary<Slot, int>(SlotComparer.Instance);
            slots[i] = i < _slots.Length ? _slots[i] : [];
        }

        _slotIds = ids;
        _slots = slots;
        var lastSlot = new Slot[actors];
        var lastId = new int[actors];
        Array.Fill(lastId, -1);
        _lastSlot.CopyTo(lastSlot, 0);
        _lastId.CopyTo(lastId, 0);
        _lastSlot = lastSlot;
        _lastId = lastId;
    }

    /// <summary>Bytes of one slot in the canonical encoding.</summary>
    private const int SlotBytes = 1 + 4 + TupleBytes + TupleBytes + 2 + 2 + 8 + 1 + 4 + 4 + 2;

    private const int TupleBytes = 1 + 4 + 4 + 4 + 4;

    private static void WriteSlot(in Slot s, Span<byte> b)
    {
        b[0] = (byte)s.Phase;
        BinaryPrimitives.WriteUInt32LittleEndian(b[1..], (uint)s.Status);
        Write(s.Reply, b.Slice(5, TupleBytes));
        Write(s.PreSrc, b.Slice(5 + TupleBytes, TupleBytes));
        BinaryPrimitives.WriteInt16LittleEndian(b[39..], s.Partner);
        BinaryPrimitives.WriteUInt16LittleEndian(b[41..], s.BySourceOrder);
        // With more than 64 actors this is the handle of an interned set: equal exactly when the sets are (ActorSets).
        BinaryPrimitives.WriteInt64LittleEndian(b[43..], (long)s.LinkedAtSrcProbe);
        b[51] = s.Attempt;
        BinaryPrimitives.WriteUInt32LittleEndian(b[52..], s.Mark);
        BinaryPrimitives.WriteUInt32LittleEndian(b[56..], s.CtMark);
        BinaryPrimitives.WriteUInt16LittleEndian(b[60..], s.DecidedBy);
    }

    private static void Write(in ConntrackTuple t, Span<byte> b)
    {
        b[0] = (byte)t.Protocol;
        BinaryPrimitives.WriteUInt32LittleEndian(b[1..], t.SrcIp.Value);
        BinaryPrimitives.WriteInt32LittleEndian(b[5..], t.SrcPort.Raw);
        BinaryPrimitives.WriteUInt32LittleEndian(b[9..], t.DstIp.Value);
        BinaryPrimitives.WriteInt32LittleEndian(b[13..], t.DstPort.Raw);
    }

    /// <summary>
    /// Slot equality as the record defines it, compared field by field without the record's per-field comparers, with a
    /// hash over the fields that vary most, computed directly. A field added to <see cref="Slot"/> goes into
    /// <c>Same</c> (<c>NatStateEncoderTests</c> fails otherwise: it packs slots that differ in one field each).
    /// </summary>
    private sealed class SlotComparer : IEqualityComparer<Slot>
    {
        public static readonly SlotComparer Instance = new();

        public bool Equals(Slot x, Slot y) => Same(x, y);

        public static bool Same(in Slot x, in Slot y) =>
            x.Phase == y.Phase && x.Status == y.Status && Same(x.Reply, y.Reply) && x.LinkedAtSrcProbe == y.LinkedAtSrcProbe
            && Same(x.PreSrc, y.PreSrc) && x.Partner == y.Partner && x.BySourceOrder == y.BySourceOrder && x.Attempt == y.Attempt
            && x.Mark == y.Mark && x.CtMark == y.CtMark && x.DecidedBy == y.DecidedBy;

        private static bool Same(in ConntrackTuple x, in ConntrackTuple y) =>
            x.SrcPort.Raw == y.SrcPort.Raw && x.DstPort.Raw == y.DstPort.Raw && x.SrcIp.Value == y.SrcIp.Value
            && x.DstIp.Value == y.DstIp.Value && x.Protocol == y.Protocol;

        public int GetHashCode(Slot s) => HashCode.Combine(
            (int)s.Phase | ((int)s.Attempt << 8) | (s.Partner << 16) | (s.BySourceOrder << 24),
            (uint)s.Status,
            s.Reply.SrcIp.Value ^ ((uint)s.Reply.Protocol << 24),
            s.Reply.SrcPort.Raw,
            s.Reply.DstIp.Value,
            s.Reply.DstPort.Raw,
            s.PreSrc.SrcPort.Raw ^ (int)s.PreSrc.DstIp.Value,
            s.LinkedAtSrcProbe ^ s.Mark ^ ((ulong)s.CtMark << 32));
    }
}
