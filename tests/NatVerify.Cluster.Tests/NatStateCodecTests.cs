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

    /// <summary>
    /// Above 64 actors a state's ghost actor sets are handles of one process's intern table (<see cref="ActorSets"/>), so a
    /// cluster check refuses such a scenario with an error instead of shipping handles another silo cannot read.
    /// </summary>
    [Fact]
    public void A_scenario_of_more_than_64_actors_is_refused_by_the_cluster()
    {
        var actors = string.Concat(Enumerable.Range(0, 65).Select(k =>
            $"  - name: e{k}\n    conntrack: -I -p udp -s 192.0.2.1 -d 203.0.113.1 --sport {1000 + k} --dport 53 --timeout 100\n"));
        var text = "name: wide\ndescription: 65 inserts\nprofile: linux-6.12\nactors:\n" + actors;
        var error = Assert.Throws<ArgumentException>(() => NatJob.Of("wide.yaml", text, new CheckSettings()).Load());
        Assert.Contains("at most 64", error.Message);
    }
}
