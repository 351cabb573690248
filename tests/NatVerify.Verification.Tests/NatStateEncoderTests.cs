using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The packed form the breadth-first queue keeps (<see cref="NatStateEncoder.Pack"/>) gives back every reachable state
/// of every shipped spec unchanged: equal slots (every <see cref="Slot"/> field, so a field missing from the packed form
/// fails here as soon as a spec reaches a state where it is set) and equal canonical bytes.
/// </summary>
public class NatStateEncoderTests
{
    public static TheoryData<string> Specs => Corpus.All();

    [Theory]
    [MemberData(nameof(Specs))]
    public void Every_reachable_state_survives_pack_and_unpack(string file)
    {
        var spec = Corpus.Load(file);
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var encoder = new NatStateEncoder();
        var seen = new HashSet<NatState> { semantics.Initial };
        var queue = new Queue<NatState>(seen);
        var sink = new List<(NatStep Step, NatState Next)>();
        var packed = new StateWriter();
        var canonical = new StateWriter();
        var again = new StateWriter();
        while (queue.TryDequeue(out var state))
        {
            packed.Reset();
            encoder.Pack(state, packed);
            var back = encoder.Unpack(packed.Written);
            Assert.Equal(state, back);
            canonical.Reset();
            encoder.Encode(state, canonical);
            again.Reset();
            encoder.Encode(back, again);
            Assert.True(canonical.Written.SequenceEqual(again.Written));

            sink.Clear();
            semantics.Successors(state, sink);
            foreach (var (_, next) in sink)
            {
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        Assert.True(seen.Count > 1);
    }

    /// <summary>
    /// Every field of <see cref="Slot"/>, changed alone, gives a slot the packed form tells apart from the original, both
    /// right after it (the comparison with the slot packed last) and through the per-actor numbering: a field added to
    /// <see cref="Slot"/> but not to the encoder's comparison fails here.
    /// </summary>
    [Fact]
    public void Pack_tells_apart_slots_that_differ_in_any_one_field()
    {
        var tuple = new NatVerify.Model.Tuples.ConntrackTuple(
            NatVerify.Model.Addressing.L4Protocol.Tcp, new NatVerify.Model.Addressing.Ipv4(0xC6336401), new NatVerify.Model.Addressing.Port(12345),
            new NatVerify.Model.Addressing.Ipv4(0xC6336402), new NatVerify.Model.Addressing.Port(80));
        var baseSlot = new Slot(Phase.SrcDone, tuple, CtStatus.SrcNatDone, tuple, 1, 2, 3, 1, 5, 6, 7);
        var fields = typeof(Slot).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public);
        Assert.True(fields.Length >= 11);
        var encoder = new NatStateEncoder();
        var writer = new StateWriter();
        foreach (var field in fields)
        {
            object boxed = baseSlot;
            field.SetValue(boxed, Changed(field.GetValue(boxed)!));
            var changed = (Slot)boxed;
            Assert.NotEqual(baseSlot, changed);
            foreach (var order in new[] { new[] { baseSlot, changed, baseSlot }, new[] { changed, baseSlot, changed } })
            {
                foreach (var slot in order)
                {
                    writer.Reset();
                    encoder.Pack(NatState.FromCanonicalSlots([slot]), writer);
                    Assert.Equal(slot, encoder.Unpack(writer.Written)[0]);
                }
            }
        }

        static object Changed(object value) => value switch
        {
            Phase p => p + 1,
            CtStatus c => c | CtStatus.Expired,
            NatVerify.Model.Tuples.ConntrackTuple t => t with { SrcPort = new NatVerify.Model.Addressing.Port(t.SrcPort.Raw + 1) },
            short v => (short)(v + 1),
            ushort v => (ushort)(v + 1),
            byte v => (byte)(v + 1),
            uint v => v + 1,
            ulong v => v + 1,
            _ => throw new InvalidOperationException($"no change for a field of type {value.GetType()}"),
        };
    }

    /// <summary>Every successor copies every slot: the runtime's layout keeps a slot at 72 bytes (80 in declaration order).</summary>
    [Fact]
    public void A_slot_takes_at_most_72_bytes() =>
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>() <= 72, $"{System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>()} bytes");
}
