using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// numbering is not canonical across instances, so it is fingerprinted only within its run (below). One instance serves one run;
/// <see cref="Pack"/>, <see cref="RunFingerprint"/> and <see cref="Unpack"/> are called from one thread
/// (<see cref="IStatePacker{TState}"/>), <see cref="Encode"/> from any.
/// </para>
/// <para>
/// Run-numbered fingerprints (<see cref="IRunFingerprinter{TState}"/>, the single-threaded breadth-first search): the
/// same numbering identifies a state within this instance, so the packed bytes (varint count, then one varint number
/// per actor) are hashed instead of the 62 canonical bytes per slot, and the bytes hashed are the ones queued: the
/// state is packed once, while fingerprinting. A successor differs from its parent in one or two slots, and the parent
/// was just unpacked from its numbers, so each slot is first compared with the parent's slot at its position and only
/// the slots that changed are looked up (after the two slots looked up last at that position). With the ghost quotient
/// or symmetry the fingerprint must identify the view <see cref="Encode"/> writes, not the state, and the instance
/// keeps the canonical bytes (<see cref="FingerprintsByNumbering"/> is false): numbering the view was tried and cost
/// more, because a view changes where the state does not (symmetry moves slots between positions, a slot's observable
/// ghosts depend on the other slots), so most of its slots missed the recent ones and took a dictionary probe
/// (dns-one-socket-6 under por+sym: 24% of the profile against 19% for writing and hashing the bytes;
/// docs/performance.md, "Run-numbered fingerprints").
/// </para>
/// </remarks>
public sealed class NatStateEncoder : IStateEncoder<NatState>, IRunFingerprinter<NatState>
{
    private readonly NatSemantics? _ghostQuotient;
    private readonly ActorSymmetry? _symmetry;

    // Per actor: slot value -> number, and number -> slot value (only Pack, RunFingerprint and Unpack touch them: one thread).
    private SlotNumbers[] _slotIds = [];
    private List<Slot>[] _slots = [];

    // Per actor: the slot packed last and its number (-1: none yet). States are packed as they are stored, and the new
    // successors of one state differ from it (and from each other) in one or two slots, so most slots are the one
    // packed just before: one comparison instead of a hash and a dictionary probe (the lookups were 15% of an
    // unreduced search).
    private Slot[] _lastSlot = [];
    private int[] _lastId = [];

    // The state unpacked last and, per actor, the number of its slot (-1: none yet): the parent whose successors
    // RunFingerprint numbers next. Not updated by lookups, so every sibling compares with the parent. The parent's own
    // slots are read, not copied: a parent the search has since recycled (NatState.Recycle) has no slots, and is then
    // not compared with at all.
    private NatState? _parent;
    private int[] _parentId = [];

    // Per actor: the two slots RunFingerprint looked up last. A slot a step changes is often the one the same step made
    // from the same slot in the parent's sibling, expanded just before.
    private readonly RecentSlots _recent = new();

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
        var view = _symmetry is { } symmetry ? symmetry.Canonical(state) : state;
        WriteView(view, writer, _ghostQuotient);

        // A representative other than the state itself was made for this encoding alone: its slot array goes back to the
        // thread's pool for the next one.
        if (!ReferenceEquals(view, state))
        {
            NatState.Recycle(view);
        }
    }

    private static void WriteView(NatState state, StateWriter writer, NatSemantics? ghostQuotient)
    {
        // Every successor is encoded: the slots are laid out in one stack buffer and written at once (64 actors: 3.9 KiB, 1,024: 62 KiB).
        Span<byte> bytes = stackalloc byte[SlotBytes * state.Count];
        if (ghostQuotient is { } semantics)
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
            if (id < 0 || !SlotNumbers.Same(slot, lastSlot[i]))
            {
                id = Number(i, slot);
                lastSlot[i] = slot;
                lastId[i] = id;
            }

            writer.WriteVarUInt64((ulong)id);
        }
    }

    /// <inheritdoc />
    public bool FingerprintsByNumbering => _ghostQuotient is null && _symmetry is null;

    /// <inheritdoc />
    public ulong RunFingerprint(NatState state, StateWriter packed)
    {
        if (!FingerprintsByNumbering)
        {
            throw new InvalidOperationException("This encoder fingerprints a view of the state (ghost quotient or symmetry), which its run numbering does not identify.");
        }

        var start = packed.Length;
        var slots = state.Slots;
        if (_slotIds.Length < slots.Length)
        {
            Grow(slots.Length);
        }

        // The varints go straight into the writer's buffer: at most 10 bytes each, the count and one number per slot.
        var bytes = packed.GetSpan(10 * (slots.Length + 1));
        var at = StateWriter.PutVarUInt64(bytes, 0, (ulong)slots.Length);
        var parentSlots = _parent is null ? default : _parent.Slots;
        var parentId = _parentId;
        var hasParent = parentSlots.Length == slots.Length;
        for (var i = 0; i < slots.Length; i++)
        {
            ref readonly var slot = ref slots[i];
            var id = hasParent ? parentId[i] : -1;
            if (id < 0 || !SameBits(slot, parentSlots[i]))
            {
                id = _recent.Find(i, slot);
                if (id < 0)
                {
                    id = Number(i, slot);
                    _recent.Remember(i, slot, id);
                }
            }

            at = StateWriter.PutVarUInt64(bytes, at, (ulong)id);
        }

        packed.Advance(at);

        // The packed bytes are an injective encoding of the number vector (varints are prefix-free), itself one of the state.
        return Fingerprint.Of(packed.Written[start..]);
    }

    /// <inheritdoc />
    public NatState Unpack(ReadOnlySpan<byte> packed)
    {
        var reader = new StateReader(packed);
        var slots = NatState.RentSlots((int)reader.ReadVarUInt64());
        var parentId = _parentId;
        for (var i = 0; i < slots.Length; i++)
        {
            var id = (int)reader.ReadVarUInt64();
            slots[i] = _slots[i][id];
            parentId[i] = id;
        }

        return _parent = NatState.FromCanonicalSlots(slots);
    }

    /// <summary>The number of <paramref name="slot"/> at actor <paramref name="i"/>, numbering it if new.</summary>
    private int Number(int i, in Slot slot)
    {
        var ids = _slotIds[i];
        var id = ids.Find(slot);
        return id >= 0 ? id : ids.Add(slot);
    }

    /// <summary>
    /// Whether two slots have the same bytes: one vectorised comparison instead of eleven field comparisons. Every field
    /// is an integer, so equal bytes imply equal slots; unequal bytes with equal fields (padding) only cost the lookup
    /// the caller then makes, which compares fields.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameBits(in Slot x, in Slot y)
    {
        // A slot is 72 bytes (A_slot_takes_at_most_72_bytes): two 32-byte vectors and the last 8 bytes, compared inline
        // (the general comparison is a call, made for every slot of every successor).
        if (Unsafe.SizeOf<Slot>() == 72 && Vector256.IsHardwareAccelerated)
        {
            ref var a = ref Unsafe.As<Slot, byte>(ref Unsafe.AsRef(in x));
            ref var b = ref Unsafe.As<Slot, byte>(ref Unsafe.AsRef(in y));
            return Vector256.LoadUnsafe(ref a) == Vector256.LoadUnsafe(ref b)
                && Vector256.LoadUnsafe(ref a, 32) == Vector256.LoadUnsafe(ref b, 32)
                && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, 64)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 64));
        }

        return MemoryMarshal.AsBytes(new ReadOnlySpan<Slot>(in x)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<Slot>(in y)));
    }

    private static Slot[] Resized(Slot[] old, int size)
    {
        var array = new Slot[size];
        old.CopyTo(array, 0);
        return array;
    }

    private static int[] ResizedIds(int[] old, int size)
    {
        var array = new int[size];
        Array.Fill(array, -1);
        old.CopyTo(array, 0);
        return array;
    }

    private void Grow(int actors)
    {
        var ids = new SlotNumbers[actors];
        var slots = new List<Slot>[actors];
        for (var i = 0; i < actors; i++)
        {
            slots[i] = i < _slots.Length ? _slots[i] : [];
            ids[i] = i < _slotIds.Length ? _slotIds[i] : new SlotNumbers(slots[i]);
        }

        _slotIds = ids;
        _slots = slots;
        _lastSlot = Resized(_lastSlot, actors);
        _lastId = ResizedIds(_lastId, actors);
        _parentId = ResizedIds(_parentId, actors);
        _recent.Grow(actors);
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

    /// <summary>Per actor position, the two slots looked up there last with their numbers; the older one is replaced.</summary>
    private sealed class RecentSlots
    {
        private Slot[] _slots = [];
        private int[] _ids = [];
        private byte[] _older = [];

        public void Grow(int actors)
        {
            _slots = Resized(_slots, 2 * actors);
            _ids = ResizedIds(_ids, 2 * actors);
            var older = new byte[actors];
            _older.CopyTo(older, 0);
            _older = older;
        }

        /// <summary>The number of <paramref name="slot"/> if it is one of the two remembered at <paramref name="i"/>, else -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find(int i, in Slot slot)
        {
            var k = 2 * i;
            if (_ids[k] >= 0 && SameBits(slot, _slots[k]))
            {
                _older[i] = 1;
                return _ids[k];
            }

            if (_ids[k + 1] >= 0 && SameBits(slot, _slots[k + 1]))
            {
                _older[i] = 0;
                return _ids[k + 1];
            }

            return -1;
        }

        public void Remember(int i, in Slot slot, int id)
        {
            var k = (2 * i) + _older[i];
            _slots[k] = slot;
            _ids[k] = id;
            _older[i] ^= 1;
        }
    }

    /// <summary>
    /// One actor's slot values and their numbers: the values by number in a list (what <see cref="Unpack"/> reads), and
    /// an open-addressing table of numbers hashed by value. A run has a few thousand distinct slots per actor, so the
    /// table stays in the caches; it hashes and compares the slot's fields in place, where a dictionary with a comparer
    /// copied the 72-byte slot into each interface call (the lookups were 4% of an unreduced search).
    /// </summary>
    /// <remarks>
    /// Equality is the record's, field by field: a field added to <see cref="Slot"/> goes into <c>Same</c>
    /// (<c>NatStateEncoderTests</c> fails otherwise: it packs slots that differ in one field each). Bytes are not
    /// compared: the tuples hold padding.
    /// </remarks>
    private sealed class SlotNumbers(List<Slot> slots)
    {
        // Number + 1 per bucket, 0 for empty; a power of two, at most half full.
        private int[] _buckets = new int[16];

        /// <summary>The number of <paramref name="slot"/>, or -1 when it has none yet.</summary>
        public int Find(in Slot slot)
        {
            var buckets = _buckets;
            var values = CollectionsMarshal.AsSpan(slots);
            var mask = buckets.Length - 1;
            for (var k = Hash(slot) & mask; ; k = (k + 1) & mask)
            {
                var entry = buckets[k];
                if (entry == 0)
                {
                    return -1;
                }

                if (Same(values[entry - 1], slot))
                {
                    return entry - 1;
                }
            }
        }

        /// <summary>Numbers a slot that has no number yet (<see cref="Find"/> returned -1).</summary>
        public int Add(in Slot slot)
        {
            var id = slots.Count;
            slots.Add(slot);
            if (2 * slots.Count > _buckets.Length)
            {
                _buckets = new int[2 * _buckets.Length];
                var values = CollectionsMarshal.AsSpan(slots);
                for (var n = 0; n < values.Length; n++)
                {
                    Insert(Hash(values[n]), n);
                }
            }
            else
            {
                Insert(Hash(slot), id);
            }

            return id;
        }

        public static bool Same(in Slot x, in Slot y) =>
            x.Phase == y.Phase && x.Status == y.Status && Same(x.Reply, y.Reply) && x.LinkedAtSrcProbe == y.LinkedAtSrcProbe
            && Same(x.PreSrc, y.PreSrc) && x.Partner == y.Partner && x.BySourceOrder == y.BySourceOrder && x.Attempt == y.Attempt
            && x.Mark == y.Mark && x.CtMark == y.CtMark && x.DecidedBy == y.DecidedBy;

        private static bool Same(in ConntrackTuple x, in ConntrackTuple y) =>
            x.SrcPort.Raw == y.SrcPort.Raw && x.DstPort.Raw == y.DstPort.Raw && x.SrcIp.Value == y.SrcIp.Value
            && x.DstIp.Value == y.DstIp.Value && x.Protocol == y.Protocol;

        // Every field, folded by multiply-xorshift rounds; equal slots hash alike, and Same settles the rest.
        private static int Hash(in Slot s)
        {
            var h = (ulong)s.Phase | ((ulong)s.Attempt << 8) | ((ulong)(ushort)s.Partner << 16) | ((ulong)s.BySourceOrder << 32)
                | ((ulong)s.DecidedBy << 48);
            h = Round(h ^ (uint)s.Status ^ ((ulong)s.Mark << 32));
            h = Round(h ^ s.CtMark ^ s.LinkedAtSrcProbe);
            h = Round(h ^ Tuple(s.Reply));
            h = Round(h ^ Tuple(s.PreSrc));
            return (int)(h >> 32);
        }

        private static ulong Tuple(in ConntrackTuple t) =>
            (((ulong)t.SrcIp.Value << 32) | (uint)t.SrcPort.Raw)
            ^ ((((ulong)t.DstIp.Value << 32) | (uint)t.DstPort.Raw) * 0xC2B2AE3D27D4EB4FUL)
            ^ ((ulong)t.Protocol << 56);

        private static ulong Round(ulong h)
        {
            h *= 0x9E3779B97F4A7C15UL;
            return h ^ (h >> 29);
        }

        private void Insert(int hash, int id)
        {
            var mask = _buckets.Length - 1;
            var k = hash & mask;
            while (_buckets[k] != 0)
            {
                k = (k + 1) & mask;
            }

            _buckets[k] = id + 1;
        }
    }
}
