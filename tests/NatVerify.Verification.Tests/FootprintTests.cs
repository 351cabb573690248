using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The model's footprints (<see cref="NatSemantics.StepFootprint"/>, <see cref="NatSemantics.FutureFootprint"/>) are
/// sound where partial-order reduction relies on them: in every reachable state of every shipped spec, under the real
/// kernel and every mutant, whenever both processes p and q have enabled steps and p's steps do not conflict with q's
/// future, q's steps neither add nor remove steps of p (and p's do not change q's), and taking p then q reaches exactly
/// the states q then p reaches.
/// </summary>
public sealed class FootprintTests
{
    public static TheoryData<string, KernelMutant, bool> SpecsAndMutants()
    {
        var data = new TheoryData<string, KernelMutant, bool>();
        foreach (var file in Corpus.SpecFiles())
        {
            foreach (var mutant in Enum.GetValues<KernelMutant>())
            {
                data.Add(Corpus.Relative(file), mutant, false);
                data.Add(Corpus.Relative(file), mutant, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SpecsAndMutants))]
    public void Steps_whose_footprints_do_not_conflict_commute(string file, KernelMutant mutant, bool ghostQuotient)
    {
        // With the ghost quotient, states are compared as the reducing search compares them: by the quotient encoding.
        ScenarioSpec spec = Corpus.Load(file);
        var semantics = new NatSemantics(spec.Model, spec.Profile, mutant);
        ghostQuotient &= semantics.GhostQuotientSound;
        var system = new ConntrackSystem(semantics) { GhostQuotient = ghostQuotient };
        var encoder = ghostQuotient ? new NatStateEncoder(semantics) : new NatStateEncoder();
        var writer = new StateWriter();
        string Key(NatState state)
        {
            writer.Reset();
            encoder.Encode(state, writer);
            return Convert.ToHexString(writer.Written);
        }

        var seen = new HashSet<NatState> { semantics.Initial };
        var queue = new Queue<NatState>(seen);
        while (queue.Count > 0)
        {
            NatState state = queue.Dequeue();
            var byProcess = ByProcess(system, state);
            foreach (var next in byProcess.Values.SelectMany(v => v))
            {
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }

            foreach (var (p, pSteps) in byProcess)
            {
                var stepPrint = new Footprint();
                foreach (var t in Transitions(system, state).Where(t => system.ProcessOf(t.Action) == p))
                {
                    system.StepFootprint(state, t.Action, stepPrint);
                }

                for (var q = 0; q < system.ProcessCount; q++)
                {
                    var future = new Footprint();
                    system.FutureFootprint(state, q, future);
                    if (q == p || stepPrint.ConflictsWith(future))
                    {
                        continue;
                    }

                    // A process with no enabled step is left out: order constraints are monotone (a step may enable
                    // another actor's, never disable it), and persistence only needs independence where both are enabled.
                    if (!byProcess.TryGetValue(q, out var qSteps))
                    {
                        continue;
                    }

                    foreach (var afterQ in qSteps)
                    {
                        var pAfterQ = ByProcess(system, afterQ).GetValueOrDefault(p, []);
                        Assert.True(pAfterQ.Count == pSteps.Count, $"{file}: a step of process {q} changed the steps of {p}");
                    }

                    foreach (var afterP in pSteps)
                    {
                        var qAfterP = ByProcess(system, afterP).GetValueOrDefault(q, []);
                        Assert.True(qAfterP.Count == qSteps.Count, $"{file}: a step of process {p} changed the steps of {q}");
                    }

                    var pq = pSteps.SelectMany(s => ByProcess(system, s).GetValueOrDefault(q, [])).Select(Key).ToHashSet();
                    var qp = qSteps.SelectMany(s => ByProcess(system, s).GetValueOrDefault(p, [])).Select(Key).ToHashSet();
                    Assert.True(pq.SetEquals(qp), $"{file}: processes {p} and {q} do not commute");
                }
            }
        }

        Assert.True(seen.Count > 0);
    }

    [Fact]
    public void Independent_nat_steps_of_different_flows_are_found_in_the_seed_race()
    {
        // In the unconstrained seed race, after both flows' nf_conntrack_in the thief's DST null binding (no port
        // range: its probe only collects expired entries) conflicts with nothing the client can still do.
        ScenarioSpec spec = Corpus.Load("specs/seed/race-unconstrained.yaml");
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var system = new ConntrackSystem(semantics);
        var afterIn = Transitions(system, semantics.Initial).First(t => t.Action is ConntrackIn { Actor: 0 }).Next;
        afterIn = Transitions(system, afterIn).First(t => t.Action is ConntrackIn { Actor: 1 }).Next;
        var dst = Transitions(system, afterIn).First(t => t.Action is NatSetup { Actor: 0 });
        var stepPrint = new Footprint();
        system.StepFootprint(afterIn, dst.Action, stepPrint);
        var client = new Footprint();
        system.FutureFootprint(afterIn, 1, client);
        Assert.False(stepPrint.ConflictsWith(client), $"{stepPrint} vs {client}");

        // The client's confirm, by contrast, links the tuple the thief's fixed-port SNAT takes: the thief's future conflicts.
        var thief = new Footprint();
        system.FutureFootprint(afterIn, 0, thief);
        Assert.True(thief.ConflictsWith(client));
    }

    private static List<Transition<NatState, NatStep>> Transitions(ConntrackSystem system, NatState state)
    {
        var list = new List<Transition<NatState, NatStep>>();
        system.SearchSuccessors(state, list);
        return list;
    }

    private static Dictionary<int, List<NatState>> ByProcess(ConntrackSystem system, NatState state)
    {
        var result = new Dictionary<int, List<NatState>>();
        foreach (var t in Transitions(system, state))
        {
            var p = system.ProcessOf(t.Action);
            if (!result.TryGetValue(p, out var list))
            {
                result[p] = list = [];
            }

            list.Add(t.Next);
        }

        return result;
    }
}
