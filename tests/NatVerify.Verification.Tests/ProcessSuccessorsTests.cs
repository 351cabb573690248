using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The NAT model one process at a time (<see cref="ConntrackSystem"/> as <see cref="IProcessSuccessors{TState, TAction}"/>),
/// which the reducing search uses to build only the stubborn set's successors, agrees with the whole expansion. Over every
/// reachable state of every shipped spec, under the real kernel and every mutant, with and without the ghost quotient
/// (where sound): process by process in id order, <see cref="ConntrackSystem.ProcessSuccessors"/> concatenates to exactly
/// <see cref="ConntrackSystem.SearchSuccessors"/> (same successor states, same step fields, each step of its own process);
/// <see cref="ConntrackSystem.HasEnabledSteps"/> holds exactly for the processes with steps; and
/// <see cref="ConntrackSystem.EnabledFootprint"/>, computed without building successors, reads and writes exactly the
/// regions <see cref="ConntrackSystem.StepFootprint"/> gives over that process's steps.
/// </summary>
public sealed class ProcessSuccessorsTests
{
    public static TheoryData<string> Specs => Corpus.All();

    [Theory]
    [MemberData(nameof(Specs))]
    public void Per_process_successors_and_footprints_equal_the_whole_expansion(string file)
    {
        foreach (var semantics in Corpus.UnderEveryMutant(file))
        {
            foreach (var quotient in semantics.GhostQuotientSound ? new[] { false, true } : [false])
            {
                var system = new ConntrackSystem(semantics) { GhostQuotient = quotient };
                var seen = new HashSet<NatState> { semantics.Initial };
                var queue = new Queue<NatState>(seen);
                var full = new List<Transition<NatState, NatStep>>();
                var part = new List<Transition<NatState, NatStep>>();
                while (queue.TryDequeue(out var state))
                {
                    full.Clear();
                    system.SearchSuccessors(state, full);
                    var k = 0;
                    for (var p = 0; p < system.ProcessCount; p++)
                    {
                        part.Clear();
                        system.ProcessSuccessors(state, p, part);
                        Assert.Equal(part.Count > 0, system.HasEnabledSteps(state, p));
                        foreach (var t in part)
                        {
                            Assert.True(k < full.Count, $"{semantics.Mutant}: process {p} has more steps than the whole expansion");
                            Assert.Equal(p, system.ProcessOf(t.Action));
                            Assert.Equal(full[k].Next, t.Next);
                            Assert.Equal(full[k].Action.GetType(), t.Action.GetType());
                            Assert.Equal(LeanSuccessorsTests.SearchFields(full[k].Action), LeanSuccessorsTests.SearchFields(t.Action));
                            k++;
                        }

                        if (part.Count > 0)
                        {
                            var union = new Footprint();
                            foreach (var t in part)
                            {
                                system.StepFootprint(state, t.Action, union);
                            }

                            var lazy = new Footprint();
                            system.EnabledFootprint(state, p, lazy);
                            Assert.Equal(Regions(union.Reads), Regions(lazy.Reads));
                            Assert.Equal(Regions(union.Writes), Regions(lazy.Writes));
                        }
                    }

                    Assert.Equal(full.Count, k);
                    foreach (var t in full)
                    {
                        if (seen.Add(t.Next))
                        {
                            queue.Enqueue(t.Next);
                        }
                    }
                }
            }
        }
    }

    private static SortedSet<string> Regions(ReadOnlySpan<Region> regions)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var r in regions)
        {
            set.Add(r.ToString());
        }

        return set;
    }
}
