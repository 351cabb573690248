using NatVerify.Checker;

namespace NatVerify.Benchmarks;

/// <summary>Reachable states of a transition system, collected once by a bounded breadth-first exploration, for the micro-benchmarks.</summary>
public static class SampleStates
{
    public static TState[] Collect<TState, TAction>(ITransitionSystem<TState, TAction> system, int count)
        where TState : notnull
    {
        var sample = new List<TState>(count);
        var queue = new Queue<TState>(system.InitialStates);
        var seen = new HashSet<TState>(system.InitialStates);
        var successors = new List<Transition<TState, TAction>>();
        while (queue.Count > 0 && sample.Count < count)
        {
            TState state = queue.Dequeue();
            sample.Add(state);
            successors.Clear();
            system.Successors(state, successors);
            foreach (Transition<TState, TAction> t in successors)
            {
                if (seen.Add(t.Next))
                {
                    queue.Enqueue(t.Next);
                }
            }
        }

        return [.. sample];
    }
}
