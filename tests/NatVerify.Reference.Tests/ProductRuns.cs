using NatVerify.Checker;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Verification;

namespace NatVerify.Reference.Tests;

/// <summary>What the product-model reduction tests compare: joint outcome sets and traces replayed step by step.</summary>
internal static class ProductRuns
{
    public static List<string> JointOutcomes(VerificationResult result) =>
        [.. result.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(StringComparer.Ordinal)];

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
