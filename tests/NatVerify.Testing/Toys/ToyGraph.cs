using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NatVerify.Checker;

namespace NatVerify.Testing.Toys;

/// <summary>
/// A small random directed graph as a transition system: states are nodes, node 0 is initial, the actions are the
/// target nodes, and the invariant fails at <see cref="Bad"/> (if any). Generated with shrinking (drop an edge, drop
/// the bad node) for the engine's properties.
/// </summary>
public sealed record ToyGraph(int Nodes, IReadOnlyList<IReadOnlyList<int>> Edges, int? Bad)
    : ITransitionSystem<int, int>, IStateEncoder<int>
{
    /// <inheritdoc />
    public IReadOnlyList<int> InitialStates { get; } = [0];

    /// <summary>The invariant "not at the bad node".</summary>
    public Invariant<int> NotBad => new("not-bad", "the bad node is not reached", s => s == Bad ? $"reached bad node {s}" : null);

    /// <summary>Random graphs of 2-12 nodes with 0-3 edges per node and a bad node two times in three.</summary>
    public static Arbitrary<ToyGraph> Arbitrary { get; } = Arb.From(
        from n in Gen.Choose(2, 12)
        from edges in Gen.ListOf(Gen.Choose(0, 3).SelectMany(k => Gen.ListOf(Gen.Choose(0, n - 1), k)), n)
        from bad in Gen.Frequency((1, Gen.Constant<int?>(null)), (2, Gen.Choose(1, n - 1).Select(b => (int?)b)))
        select new ToyGraph(n, edges.Select(e => (IReadOnlyList<int>)[.. e]).ToList(), bad),
        Shrink);

    /// <inheritdoc />
    public void Successors(int state, List<Transition<int, int>> sink)
    {
        foreach (var target in Edges[state])
        {
            sink.Add(new Transition<int, int>(target, target));
        }
    }

    /// <inheritdoc />
    public void Encode(int state, StateWriter writer) => writer.WriteInt32(state);

    /// <summary>The length of a shortest path from node 0 to the bad node, by a plain BFS independent of the engine; null when unreachable.</summary>
    /// <returns>The distance.</returns>
    public int? DistanceToBad()
    {
        if (Bad is not { } bad)
        {
            return null;
        }

        var distance = new int?[Nodes];
        distance[0] = 0;
        var queue = new Queue<int>([0]);
        while (queue.Count > 0)
        {
            var u = queue.Dequeue();
            if (u == bad)
            {
                return distance[u];
            }

            foreach (var v in Edges[u])
            {
                if (distance[v] is null)
                {
                    distance[v] = distance[u] + 1;
                    queue.Enqueue(v);
                }
            }
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder($"{Nodes} nodes, bad {Bad?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}:");
        for (var i = 0; i < Nodes; i++)
        {
            text.Append($" {i}->[{string.Join(",", Edges[i])}]");
        }

        return text.ToString();
    }

    private static IEnumerable<ToyGraph> Shrink(ToyGraph g)
    {
        if (g.Bad is not null)
        {
            yield return g with { Bad = null };
        }

        for (var u = 0; u < g.Nodes; u++)
        {
            for (var k = 0; k < g.Edges[u].Count; k++)
            {
                var edges = g.Edges.ToList();
                edges[u] = g.Edges[u].Where((_, i) => i != k).ToList();
                yield return g with { Edges = edges };
            }
        }
    }
}
