using NatVerify.Model.Scenario;

namespace NatVerify.Specs;

/// <summary>
/// Finds a cycle among <c>order:</c> constraints. The graph's nodes are actor milestones; its edges are the
/// constraints and each actor's own step order (start, dst-nat, src-nat, confirm). A cycle asks every milestone on it
/// to wait for another one on it, so no actor on the cycle could take the step: the spec contradicts itself and
/// would otherwise be "verified" over an empty or truncated state space.
/// </summary>
internal static class OrderCycles
{
    /// <summary>The index of a constraint on a cycle and the cycle's text, or null when the constraints are acyclic.</summary>
    public static (int Index, string Cycle)? Find(IReadOnlyList<OrderConstraint> constraints)
    {
        var edges = new Dictionary<(string, Milestone), List<((string, Milestone) To, int Constraint)>>();
        void Add((string, Milestone) from, (string, Milestone) to, int constraint)
        {
            if (!edges.TryGetValue(from, out var list))
            {
                edges[from] = list = [];
            }

            list.Add((to, constraint));
        }

        var milestones = new Dictionary<string, SortedSet<Milestone>>();
        for (var i = 0; i < constraints.Count; i++)
        {
            var c = constraints[i];
            Add((c.Before, c.BeforeAt), (c.After, c.AfterAt), i);
            foreach (var (actor, at) in new[] { (c.Before, c.BeforeAt), (c.After, c.AfterAt) })
            {
                if (!milestones.TryGetValue(actor, out var set))
                {
                    milestones[actor] = set = [];
                }

                set.Add(at);
            }
        }

        foreach (var (actor, set) in milestones)
        {
            var ordered = set.ToList();
            for (var i = 0; i + 1 < ordered.Count; i++)
            {
                Add((actor, ordered[i]), (actor, ordered[i + 1]), -1);
            }
        }

        // Recursion depth is at most the number of distinct milestones named, which the spec's size bounds.
        var state = new Dictionary<(string, Milestone), int>();
        var path = new List<((string, Milestone) Node, int Via)>();
        (int, string)? found = null;

        bool Visit((string, Milestone) node, int via)
        {
            state[node] = 1;
            path.Add((node, via));
            foreach (var (to, constraint) in edges.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(to) == 1)
                {
                    var start = path.FindIndex(p => p.Node == to);
                    var cycle = path.Skip(start).Select(p => p.Node).Append(to).Select(Name);
                    var onCycle = path.Skip(start + 1).Select(p => p.Via).Append(constraint).Where(v => v >= 0).Min();
                    found = (onCycle, string.Join(" < ", cycle));
                    return true;
                }

                if (state.GetValueOrDefault(to) == 0 && Visit(to, constraint))
                {
                    return true;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return false;
        }

        foreach (var node in edges.Keys.ToList())
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node, -1))
            {
                return found;
            }
        }

        return null;
    }

    private static string Name((string Actor, Milestone At) node) => $"{node.Actor}.{node.At switch
    {
        Milestone.Start => "start",
        Milestone.DstNat => "dst-nat",
        Milestone.SrcNat => "src-nat",
        _ => "confirm",
    }}";
}
