using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// A search that reads no label expands states with <see cref="ConntrackSystem.UnlabelledSuccessors"/>, which builds no step
/// at all (<see cref="StepDetail.None"/>), and rebuilds a trace from successor ordinals with the labelled expansion. Over
/// every reachable state of every shipped spec, under the real kernel and every mutant, the unlabelled successors must be
/// the labelled ones' states, in the same order, each with a null label, appended after what the sink already holds.
/// </summary>
public sealed class UnlabelledSuccessorsTests
{
    public static TheoryData<string> Specs => Corpus.All();

    [Theory]
    [MemberData(nameof(Specs))]
    public void Unlabelled_successors_are_the_labelled_successor_states_in_order_with_null_labels(string file)
    {
        foreach (var semantics in Corpus.UnderEveryMutant(file))
        {
            var system = new ConntrackSystem(semantics);
            var labelled = new List<Transition<NatState, NatStep>>();
            var unlabelled = new List<Transition<NatState, NatStep>>();
            foreach (var state in Corpus.Reachable(system.Semantics))
            {
                labelled.Clear();
                system.Successors(state, labelled);
                unlabelled.Clear();
                // A sentinel first: the successors are appended, never written over what the sink holds.
                unlabelled.Add(new Transition<NatState, NatStep>(new GcStep(0), state));
                system.UnlabelledSuccessors(state, unlabelled);
                Assert.Equal(labelled.Count + 1, unlabelled.Count);
                Assert.Same(state, unlabelled[0].Next);
                for (var k = 0; k < labelled.Count; k++)
                {
                    Assert.Equal(labelled[k].Next, unlabelled[k + 1].Next);
                    Assert.Null(unlabelled[k + 1].Action);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Semantics_without_step_detail_builds_null_steps_and_the_same_successor_states(string file)
    {
        foreach (var semantics in Corpus.UnderEveryMutant(file))
        {
            var full = new List<(NatStep Step, NatState Next)>();
            var none = new List<(NatStep Step, NatState Next)>();
            foreach (var state in Corpus.Reachable(semantics))
            {
                full.Clear();
                none.Clear();
                semantics.Successors(state, full, StepDetail.Full);
                semantics.Successors(state, none, StepDetail.None);
                Assert.Equal(full.Select(s => s.Next), none.Select(s => s.Next));
                Assert.All(none, s => Assert.Null(s.Step));
            }
        }
    }
}
