using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>
/// The port search of <c>nf_nat_l4proto_unique_tuple</c> looks its candidates up among the nodes found once per search
/// (<see cref="NatSemantics.KeyNodes"/>, <see cref="NatSemantics.TakenByKey"/>) instead of scanning the table per
/// candidate (<see cref="NatSemantics.TupleTaken"/>, <c>nf_conntrack_tuple_taken</c>). Both must name the same taker and
/// collect the same expired entries in the same order, for SRC and DST manips, TCP, UDP and ICMP, with and without 5.0's
/// same-origin skip.
/// </summary>
public class PortSearchLookupTests
{
    private static readonly Ipv4 Other = Ipv4.Parse("203.0.113.7");

    /// <summary>
    /// Random tables of eight entries whose tuples share everything but their ports (so most nodes match a search's
    /// pattern and differ in the key), with random phases and expired, clash and removed bits; per table, every entry
    /// searches every port of the pool for both manips. Seeds fixed (1-3), 1,500 tables each, on 6.12 and 4.19.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Lookup_by_key_agrees_with_nf_conntrack_tuple_taken_on_random_tables(int seed)
    {
        var random = new Random(seed);
        int[] ports = [80, 1000, 1001, 2000, 53];
        Actor[] actors =
        [
            Flow("a", Tcp(Client, 1000, Server, 80)),
            Flow("b", Tcp(Client, 1000, Server, 80)),
            Flow("c", Tcp(Client, 1001, Server, 80)),
            Flow("d", Tcp(Other, 2000, Server, 80)),
            Flow("e", Udp(Client, 1000, Server, 53)),
            Flow("f", Udp(Client, 2000, Server, 53)),
            Flow("g", new ConntrackTuple(L4Protocol.Icmp, Client, Port.Of(1000), Server, ConntrackTuple.IcmpEchoRequest)),
            Flow("h", new ConntrackTuple(L4Protocol.Icmp, Client, Port.Of(1001), Server, ConntrackTuple.IcmpEchoRequest)),
        ];
        var takers = 0;
        var collected = 0;
        var skippedSameOrigin = 0;
        foreach (var profile in new[] { KernelProfile.Linux612, KernelProfile.Linux419 })
        {
            var sem = Sem(Scn(NatT(), false, actors), profile);
            var tuples = Enumerable.Range(0, actors.Length).Select(sem.Original)
                .SelectMany(o => ports.SelectMany(p => new[] { o with { SrcPort = Port.Of(p) }, o with { DstPort = Port.Of(p) } }))
                .Where(t => t.Protocol != L4Protocol.Icmp || t.DstPort == ConntrackTuple.IcmpEchoRequest)
                .SelectMany(t => new[] { t, t.Invert() })
                .Distinct().ToArray();
            var phases = Enum.GetValues<Phase>();
            Phase[] linked = [Phase.Confirmed, Phase.ClashEntry, Phase.Inserted];
            var scratch = SuccessorScratch.Rent();
            try
            {
                for (var n = 0; n < 1500; n++)
                {
                    var slots = new Slot[actors.Length];
                    for (var j = 0; j < slots.Length; j++)
                    {
                        var status = (random.Next(3) == 0 ? CtStatus.Expired : 0) | (random.Next(4) == 0 ? CtStatus.NatClash : 0)
                            | (random.Next(6) == 0 ? CtStatus.Removed : 0);
                        var phase = random.Next(4) == 0 ? phases[random.Next(phases.Length)] : linked[random.Next(linked.Length)];
                        slots[j] = new Slot(phase, tuples[random.Next(tuples.Length)], status, sem.Original(j), -1, 0, 0);
                    }

                    for (var self = 0; self < slots.Length; self++)
                    {
                        foreach (var manip in new[] { ManipType.Src, ManipType.Dst })
                        {
                            var t = random.Next(2) == 0 ? sem.Original(self) : slots[self].Reply.Invert();
                            var nodes = sem.KeyNodes(slots, self, t, manip, scratch).ToArray();
                            foreach (var p in ports)
                            {
                                var port = Port.Of(p);
                                var reply = NatSemantics.WithKey(t, manip, port).Invert();
                                var byKeyCollected = new List<int>();
                                var scannedCollected = new List<int>();
                                var byKey = sem.TakenByKey(slots, nodes, port, reply, byKeyCollected);
                                var scanned = sem.TupleTaken(slots, reply, self, scannedCollected, null);
                                Assert.Equal(scanned, byKey);
                                Assert.Equal(scannedCollected, byKeyCollected);
                                takers += scanned >= 0 ? 1 : 0;
                                collected += scannedCollected.Count;
                                skippedSameOrigin += profile.SameOriginSkip && scanned < 0
                                    && Enumerable.Range(0, slots.Length).Any(j => j != self && slots[j].Linked && !slots[j].Has(CtStatus.Expired)
                                        && sem.Original(j) == sem.Original(self) && (slots[j].Reply == reply || (slots[j].OriginalLinked && sem.Original(j) == reply))) ? 1 : 0;
                            }
                        }
                    }
                }
            }
            finally
            {
                SuccessorScratch.Return(scratch);
            }
        }

        // The tables must exercise each way a lookup ends: a taker, collected expired entries, and a skipped same-origin entry.
        Assert.True(takers > 1000, $"{takers} lookups found a taker");
        Assert.True(collected > 1000, $"{collected} expired entries collected");
        Assert.True(skippedSameOrigin > 20, $"{skippedSameOrigin} lookups skipped a same-origin entry");
    }
}
