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
}
