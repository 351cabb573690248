using NatVerify.Checker;
using NatVerify.Model.Properties;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Verification;

namespace NatVerify.Reference.Tests;

/// <summary>What the product-model reduction tests compare: joint outcome sets and traces replayed step by step.</summary>
internal static class ProductRuns
{
    public static List<string> JointOutcomes(VerificationResult result) =>
        [.. result.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The result's counterexample (if any) replays to a state that violates its property, and every joint outcome's
    /// witness replays to a state whose outcomes are that joint outcome.
    /// </summary>
    public static void AssertTracesReplay(VerificationResult result)
    {
        var system = new ConntrackSystem(result.Semantics);
        if (result.Violation is { } violation)
        {
            NatState last = Replay(system, violation.Trace);
            Assert.NotNull(new PropertyCatalog(result.Semantics).Check(violation.Invariant.Id, last));
        }

        foreach (JointOutcome joint in result.Outcomes.Joint)
        {
            NatState last = Replay(system, joint.Witness);
            Assert.Equal(joint.Outcomes, Enumerable.Range(0, last.Count).Select(i => result.Semantics.OutcomeOf(last, i)));
        }
    }

    /// <summary>Re-executes a trace: each step must lead to a successor of the previous state equal to the recorded one.</summary>
    public static NatState Replay(ConntrackSystem system, Trace<NatState, NatStep> trace)
    {
        Assert.Contains(trace.Initial, system.InitialStates);
        NatState state = trace.Initial;
        var successors = new List<Transition<NatState, NatStep>>();
        foreach (Transition<NatState, NatStep> step in trace.Steps)
        {
            successors.Clear();
            system.Successors(state, successors);
            Assert.Contains(successors, t => t.Next.Equals(step.Next) && t.Action.GetType() == step.Action.GetType() && t.Action.Actor == step.Action.Actor);
            state = step.Next;
        }

        return state;
    }
}
