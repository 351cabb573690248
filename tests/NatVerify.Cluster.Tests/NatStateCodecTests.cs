using NatVerify.Checker;
using NatVerify.Cluster.Nat;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>States shipped between partitions come back equal: decode(encode(s)) == s for every reachable state of a spec.</summary>
public sealed class NatStateCodecTests
{
    [Theory]
    [InlineData("specs/seed/race-unconstrained.yaml")]
    [InlineData("specs/k8s/dns-same-socket-two-endpoints.yaml")]
    [InlineData("specs/oracle/udp-race-dnat-range.yaml")]
    public void Decoding_an_encoded_state_gives_the_same_state_for_every_reachable_state(string relative)
    {
        var (_, semantics, _) = NatJob.Of(relative, Specs.Text(relative), new CheckSettings()).Load();
        var system = new ConntrackSystem(semantics);
        var codec = new NatStateCodec();
        var writer = new StateWriter();
        var seen = new HashSet<NatState> { semantics.Initial };
        var queue = new Queue<NatState>(seen);
        var successors = new List<Transition<NatState, NatStep>>();
        while (queue.TryDequeue(out var state))
        {
            writer.Reset();
            codec.Encode(state, writer);
            Assert.Equal(state.Count * NatStateCodec.SlotBytes, writer.Length);
            Assert.Equal(state, codec.Decode(writer.Written));
            successors.Clear();
            system.Successors(state, successors);
            foreach (var t in successors.Where(t => seen.Add(t.Next)))
            {
                queue.Enqueue(t.Next);
            }
        }

        Assert.True(seen.Count > 10);
    }

    [Fact]
    public void Decoding_bytes_of_the_wrong_length_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => new NatStateCodec().Decode(new byte[NatStateCodec.SlotBytes + 1]));
    }
}
