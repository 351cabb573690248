using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The lazy stubborn-set search keeps a process's future footprint from one state to the next when
/// <see cref="ConntrackSystem.SameFuture"/> says it is unchanged (<see cref="IStableFutures{TState}"/>). Over every
/// reachable state of every shipped spec, under the real kernel and every mutant, with and without the ghost quotient
/// (where sound), for every process: whenever <see cref="ConntrackSystem.SameFuture"/> holds between the state expanded
/// just before (breadth-first order, as the search meets them) or the first state met with the same slot and the current
/// one, <see cref="ConntrackSystem.FutureFootprint"/> writes the same regions in the same order in both.
/// </summary>
public sealed class StableFuturesTests
{
    public static TheoryData<string> Specs => Corpus.All();

    [Theory]
    [MemberData(nameof(Specs))]
    public void A_future_footprint_said_unchanged_is_unchanged(string file)
    {
        foreach (var semantics in Corpus.UnderEveryMutant(file))
        {
            foreach (var quotient in semantics.GhostQuotientSound ? new[] { false, true } : [false])
            {
                var system = new ConntrackSystem(semantics) { GhostQuotient = quotient };
                var count = semantics.Scenario.Actors.Count;
                var first = new Dictionary<(int, Slot), (NatState State, string Future)>();
                var seen = new HashSet<NatState> { semantics.Initial };
                var queue = new Queue<NatState>(seen);
                var full = new List<Transition<NatState, NatStep>>();
                NatState? previous = null;
                var previousFutures = new string[system.ProcessCount];
                var reused = 0;
                while (queue.TryDequeue(out var state))
                {
                    for (var p = 0; p < system.ProcessCount; p++)
                    {
                        var future = Future(system, state, p);
                        if (previous is not null && system.SameFuture(previous, state, p))
                        {
                            Assert.Equal(previousFutures[p], future);
                            reused++;
                        }

                        var key = (p, state[p >= count ? p - count : p]);
                        if (first.TryGetValue(key, out var earlier))
                        {
                            if (system.SameFuture(earlier.State, state, p))
                            {
                                Assert.Equal(earlier.Future, future);
                            }
                        }
                        else
                        {
                            first[key] = (state, future);
                        }

                        previousFutures[p] = future;
                    }

                    previous = state;
                    full.Clear();
                    system.SearchSuccessors(state, full);
                    foreach (var t in full)
                    {
                        if (seen.Add(t.Next))
                        {
                            queue.Enqueue(t.Next);
                        }
                    }
                }

                // Consecutive states share most slots: the reuse this pins down is the common case, not a corner.
                Assert.True(seen.Count == 1 || reused > 0, $"{semantics.Mutant}: no future was ever said unchanged");
            }
        }
    }

    private static string Future(ConntrackSystem system, NatState state, int process)
    {
        var footprint = new Footprint();
        system.FutureFootprint(state, process, footprint);
        return footprint.ToString();
    }
}
