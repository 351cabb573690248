using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Benchmarks;

/// <summary>Reachable states of a reference variant, collected once by a bounded exploration, for the micro-benchmarks.</summary>
public static class SampleStates
{
    public static ulong[] Collect(RefModel model, int count)
    {
        var sample = new List<ulong>(count);
        var queue = new Queue<ulong>(model.InitialStates);
        var seen = new HashSet<ulong>(model.InitialStates);
        var successors = new List<Transition<ulong, RefStep>>();
        while (queue.Count > 0 && sample.Count < count)
        {
            ulong state = queue.Dequeue();
            sample.Add(state);
            successors.Clear();
            model.Successors(state, successors);
            foreach (Transition<ulong, RefStep> t in successors)
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
