using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

/// <summary>Re-applies a trace's actions through the system and checks each step is a real transition.</summary>
public static class TraceReplay
{
    public static TState FinalState<TState, TAction>(ITransitionSystem<TState, TAction> system, Trace<TState, TAction> trace)
    {
        Assert.Contains(trace.Initial, system.InitialStates);
        TState state = trace.Initial;
        var successors = new List<Transition<TState, TAction>>();
        foreach (Transition<TState, TAction> step in trace.Steps)
        {
            successors.Clear();
            system.Successors(state, successors);
            Transition<TState, TAction> taken = successors.Find(t => EqualityComparer<TAction>.Default.Equals(t.Action, step.Action));
            Assert.True(successors.Exists(t => EqualityComparer<TAction>.Default.Equals(t.Action, step.Action)), $"action {step.Action} is not enabled");
            state = taken.Next;
            Assert.Equal(step.Next, state);
        }

        Assert.Equal(trace.Final, state);
        return state;
    }
}
