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
        var packed = new StateWriter();
        var canonical = new StateWriter();
        var again = new StateWriter();
        var count = 0;
        foreach (var state in Corpus.Reachable(semantics))
        {
            count++;
            packed.Reset();
            encoder.Pack(state, packed);
            var back = encoder.Unpack(packed.Written);
            Assert.Equal(state, back);
            canonical.Reset();
            encoder.Encode(state, canonical);
            again.Reset();
            encoder.Encode(back, again);
            Assert.True(canonical.Written.SequenceEqual(again.Written));
        }

        Assert.True(count > 1);
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

                // Run fingerprints: each slot compared with the one just unpacked (the parent) and the two looked up last.
                foreach (var slot in order)
                {
                    writer.Reset();
                    encoder.RunFingerprint(NatState.FromCanonicalSlots([slot]), writer);
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

    /// <summary>
    /// Run-numbered fingerprints (<see cref="NatStateEncoder.RunFingerprint"/>), called as the single-threaded breadth-first
    /// search calls them (each state unpacked from its run-packed form, then its successors fingerprinted), identify every
    /// reachable state of every shipped spec: the packed bytes unpack to the state, equal bytes only for equal states,
    /// and the 64-bit fingerprints of distinct states differ (no collision among these few thousand states).
    /// </summary>
    [Theory]
    [MemberData(nameof(Specs))]
    public void Run_fingerprints_identify_every_reachable_state(string file)
    {
        var spec = Corpus.Load(file);
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var encoder = new NatStateEncoder();
        Assert.True(encoder.FingerprintsByNumbering);
        var byBytes = new Dictionary<string, (NatState State, ulong Fingerprint)>();
        var byFingerprint = new Dictionary<ulong, NatState>();
        var queue = new Queue<byte[]>();
        var sink = new List<(NatStep Step, NatState Next)>();
        var writer = new StateWriter();

        Visit(semantics.Initial);
        while (queue.TryDequeue(out var packed))
        {
            var state = encoder.Unpack(packed);
            sink.Clear();
            semantics.Successors(state, sink);
            foreach (var (_, next) in sink)
            {
                Visit(next);
            }
        }

        Assert.True(byBytes.Count > 1);
        Assert.Equal(byBytes.Count, byFingerprint.Count);

        void Visit(NatState state)
        {
            writer.Reset();
            var fingerprint = encoder.RunFingerprint(state, writer);
            var bytes = writer.Written.ToArray();
            Assert.Equal(state, encoder.Unpack(bytes));
            var key = Convert.ToBase64String(bytes);
            if (byBytes.TryGetValue(key, out var known))
            {
                Assert.Equal(known.State, state);
                Assert.Equal(known.Fingerprint, fingerprint);
                return;
            }

            Assert.False(byFingerprint.ContainsKey(fingerprint), "two distinct states share a run fingerprint");
            byBytes.Add(key, (state, fingerprint));
            byFingerprint.Add(fingerprint, state);
            queue.Enqueue(bytes);
        }
    }

    /// <summary>
    /// The encoder compares successors with the parent it unpacked last by reading the parent's slots; once the search has
    /// recycled that parent (and its array went to a successor), it must neither read them nor number differently: the
    /// packed bytes and fingerprints equal those of an encoder whose parents were kept, over every reachable state.
    /// </summary>
    [Theory]
    [MemberData(nameof(Specs))]
    public void Run_fingerprints_do_not_depend_on_whether_the_parent_was_recycled(string file)
    {
        var spec = Corpus.Load(file);
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var kept = new NatStateEncoder();
        var recycled = new NatStateEncoder();
        var keptBytes = new StateWriter();
        var recycledBytes = new StateWriter();
        var seen = new HashSet<ulong>();
        var queue = new Queue<byte[]>();
        var sink = new List<(NatStep Step, NatState Next)>();

        Visit(semantics.Initial);
        while (queue.TryDequeue(out var packed))
        {
            var parent = kept.Unpack(packed);
            // Recycled first, so the successors built next may take its array and overwrite it.
            NatState.Recycle(recycled.Unpack(packed));
            sink.Clear();
            semantics.Successors(parent, sink);
            foreach (var (_, next) in sink)
            {
                Visit(next);
            }
        }

        Assert.True(seen.Count > 1);

        void Visit(NatState state)
        {
            keptBytes.Reset();
            recycledBytes.Reset();
            var fingerprint = kept.RunFingerprint(state, keptBytes);
            Assert.Equal(fingerprint, recycled.RunFingerprint(state, recycledBytes));
            Assert.Equal(keptBytes.Written.ToArray(), recycledBytes.Written.ToArray());
            if (seen.Add(fingerprint))
            {
                queue.Enqueue(keptBytes.Written.ToArray());
            }
        }
    }

    /// <summary>
    /// Under symmetry the encoder builds the orbit's representative, encodes it and recycles it (NatState.Recycle): the
    /// state it was given is untouched, and every encoding, also after later ones took the recycled storage, equals the
    /// representative's own bytes, over every reachable state of every shipped spec.
    /// </summary>
    [Theory]
    [MemberData(nameof(Specs))]
    public void Encoding_under_symmetry_recycles_only_the_representative_it_made(string file)
    {
        var spec = Corpus.Load(file);
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var symmetry = ActorSymmetry.Of(semantics);
        var encoder = new NatStateEncoder(null, symmetry);
        var plain = new NatStateEncoder();
        var first = new Dictionary<NatState, byte[]>();
        var writer = new StateWriter();
        var expected = new StateWriter();
        foreach (var state in Corpus.Reachable(semantics))
        {
            var copy = NatState.FromCanonicalSlots(state.Slots.ToArray());
            writer.Reset();
            expected.Reset();
            encoder.Encode(state, writer);
            plain.Encode(symmetry.Canonical(state), expected);
            Assert.Equal(copy, state);
            Assert.Equal(expected.Written.ToArray(), writer.Written.ToArray());
            first[copy] = writer.Written.ToArray();
        }

        // Again, now that the pool holds the recycled representatives' arrays.
        foreach (var (state, bytes) in first)
        {
            writer.Reset();
            encoder.Encode(state, writer);
            Assert.Equal(bytes, writer.Written.ToArray());
        }
    }

    /// <summary>
    /// An encoder whose canonical bytes are of a view (ghost quotient, actor symmetry) declines run-numbered
    /// fingerprints, which identify the state and not the view: the engine hashes its canonical bytes.
    /// </summary>
    [Fact]
    public void Encoders_of_a_view_decline_run_fingerprints()
    {
        var spec = Corpus.Load("specs/seed/race-thief.yaml");
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        Assert.True(semantics.GhostQuotientSound);
        var symmetry = ActorSymmetry.Of(semantics);
        var views = new List<NatStateEncoder> { new(semantics) };
        if (symmetry.Reduces)
        {
            views.Add(new NatStateEncoder(null, symmetry));
            views.Add(new NatStateEncoder(semantics, symmetry));
        }

        foreach (var encoder in views)
        {
            Assert.False(encoder.FingerprintsByNumbering);
            Assert.Throws<InvalidOperationException>(() => encoder.RunFingerprint(semantics.Initial, new StateWriter()));
        }
    }

    /// <summary>Every successor copies every slot: the runtime's layout keeps a slot at 72 bytes (80 in declaration order).</summary>
    [Fact]
    public void A_slot_takes_at_most_72_bytes() =>
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>() <= 72, $"{System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>()} bytes");
}
