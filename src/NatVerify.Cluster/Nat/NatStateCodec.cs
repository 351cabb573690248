using System.Buffers.Binary;
using NatVerify.Checker;
using NatVerify.Model.Addressing;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Cluster.Nat;

/// <summary>
/// A lossless encoding of <see cref="NatState"/> for shipping states between partitions: every field of every
/// <see cref="Slot"/>, fixed width (62 bytes a slot), so the slot count follows from the length. States are already
/// canonical (fresh ports renumbered by first use), so equal states give equal bytes, as with
/// <see cref="Verification.NatStateEncoder"/>.
/// </summary>
public sealed class NatStateCodec : IStateCodec<NatState>
{
    /// <summary>The bytes one slot takes.</summary>
    public const int SlotBytes = 1 + 4 + TupleBytes + TupleBytes + 2 + 2 + 8 + 1 + 4 + 4 + 2;

    private const int TupleBytes = 1 + 4 + 4 + 4 + 4;

    private static readonly Verification.NatStateEncoder Canonical = new();

    /// <inheritdoc />
    /// <remarks>The bytes are the verifier's canonical encoding (<see cref="Verification.NatStateEncoder.Encode"/>),
    /// which is fixed-width and lossless; <see cref="Decode"/> reads that layout back.</remarks>
    public void Encode(NatState state, StateWriter writer)
    {
        if (state.Count > ActorSets.InlineActors)
        {
            // The ghost actor sets of wider scenarios are handles of this process's intern table (ActorSets).
            throw new ArgumentException($"states of more than {ActorSets.InlineActors} actors are not shipped between processes", nameof(state));
        }

        Canonical.Encode(state, writer);
    }

    /// <inheritdoc />
    public NatState Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % SlotBytes != 0)
        {
            throw new ArgumentException($"A NAT state encoding is a multiple of {SlotBytes} bytes, not {bytes.Length}.", nameof(bytes));
        }

        var slots = new Slot[bytes.Length / SlotBytes];
        for (var i = 0; i < slots.Length; i++)
        {
            var b = bytes.Slice(i * SlotBytes, SlotBytes);
            var phase = (Phase)b[0];
            var status = (CtStatus)BinaryPrimitives.ReadUInt32LittleEndian(b[1..]);
            var reply = Read(b[5..]);
            var preSrc = Read(b[(5 + TupleBytes)..]);
            var o = 5 + (2 * TupleBytes);
            slots[i] = new Slot(
                phase, reply, status, preSrc, BinaryPrimitives.ReadInt16LittleEndian(b[o..]), BinaryPrimitives.ReadUInt16LittleEndian(b[(o + 2)..]),
                BinaryPrimitives.ReadUInt64LittleEndian(b[(o + 4)..]), b[o + 12],
                BinaryPrimitives.ReadUInt32LittleEndian(b[(o + 13)..]), BinaryPrimitives.ReadUInt32LittleEndian(b[(o + 17)..]),
                BinaryPrimitives.ReadUInt16LittleEndian(b[(o + 21)..]));
        }

        return NatState.FromCanonicalSlots(slots);
    }

    private static ConntrackTuple Read(ReadOnlySpan<byte> b) => new(
        (L4Protocol)b[0],
        new Ipv4(BinaryPrimitives.ReadUInt32LittleEndian(b[1..])),
        new Port(BinaryPrimitives.ReadInt32LittleEndian(b[5..])),
        new Ipv4(BinaryPrimitives.ReadUInt32LittleEndian(b[9..])),
        new Port(BinaryPrimitives.ReadInt32LittleEndian(b[13..])));
}
