using NatVerify.Model.Scenario;

namespace NatVerify.Oracle.Planning;

/// <summary>
/// Chooses the order a real kernel can be driven in. Inside the kernel nothing can be paused between a flow's
/// conntrack creation and its confirmation, so the oracle runs each actor to completion, one after another —
/// one of the interleavings the model explores, whatever the spec's schedule:
/// <list type="bullet">
/// <item><c>schedule: sequential</c>: the spec's order.</item>
/// <item>interleaved without <c>order:</c>: the spec's order, with consecutive flows from one namespace released
/// together as a burst (the kernel then picks the interleaving; any it picks is one the model allows).</item>
/// <item>interleaved with <c>order:</c>: an order of whole actors that satisfies every constraint (the spec's order
/// where the constraints leave a choice); a spec whose constraints place one actor inside another's steps
/// cannot be run and is rejected.</item>
/// </list>
/// Timeout actors are rejected: the oracle cannot make one entry expire at a chosen point.
/// </summary>
public static class SchedulePlanner
{
    /// <summary>Plans the steps; throws <see cref="UnsupportedScenarioException"/> when the kernel cannot be driven that way.</summary>
    public static IReadOnlyList<OracleStep> Plan(ScenarioModel scenario, TopologyPlan topology)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(topology);
        foreach (var actor in scenario.Actors)
        {
            if (actor is FlowActor { Retries: > MaxRetries } retrying)
            {
                throw new UnsupportedScenarioException(
                    $"actor {retrying.Name} retransmits its SYN {retrying.Retries} times: the oracle waits through at most {MaxRetries} "
                    + "retransmissions (1 s, then 2 s more), which keeps a run within seconds");
            }

            if (actor is EntryTimeout timeout)
            {
                throw new UnsupportedScenarioException(
                    $"actor {timeout.Name} is a timeout: the oracle cannot make {timeout.Target}'s entry expire at a chosen point of a real kernel's run");
            }
        }

        var order = scenario.Constraints.Count == 0 ? scenario.Actors.ToList() : ConstrainedOrder(scenario);
        var steps = new List<OracleStep>();
        var burst = new List<FlowActor>();
        var bursts = !scenario.Sequential && scenario.Constraints.Count == 0;

        void Flush()
        {
            if (burst.Count > 0)
            {
                steps.Add(new FlowStep(burst.Select(f => f.Name).ToList(), topology.ClientNamespaces[burst[0].Name], burst.Count > 1));
                burst.Clear();
            }
        }

        foreach (var actor in order)
        {
            switch (actor)
            {
                case FlowActor { Retries: > 0 } retrying when Detachable(scenario, retrying):
                    Flush();
                    steps.Add(new FlowStep([retrying.Name], topology.ClientNamespaces[retrying.Name], false) { Detached = true });
                    break;
                case FlowActor flow:
                    if (!bursts || (burst.Count > 0 && topology.ClientNamespaces[burst[0].Name] != topology.ClientNamespaces[flow.Name]))
                    {
                        Flush();
                    }

                    burst.Add(flow);
                    if (!bursts)
                    {
                        Flush();
                    }

                    break;
                case CtnetlinkInsert insert:
                    Flush();
                    steps.Add(new EventStep(insert.Name, Arguments(insert.Command)));
                    break;
                case CtnetlinkDelete delete:
                    Flush();
                    steps.Add(new EventStep(delete.Name, Arguments(delete.Command)));
                    break;
                case ConnectionClose close:
                    Flush();
                    steps.Add(new CloseStep(close.Name, close.Target, close.How == CloseKind.Fin ? "fin" : "rst", topology.ClientNamespaces[close.Target]));
                    break;
            }
        }

        Flush();
        return steps;
    }

    /// <summary>Most SYN retransmissions a flow may have for the oracle (<c>retries:</c>).</summary>
    public const int MaxRetries = 2;

    /// <summary>
    /// How long the oracle waits for a flow's connect: past its last allowed retransmission and before the next (TCP's
    /// initial RTO is 1 s and doubles: retransmissions at 1 s, 3 s, 7 s), i.e. halfway between the two.
    /// </summary>
    public static TimeSpan ConnectWait(FlowActor flow, TimeSpan flowTimeout)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Retries <= 0 ? flowTimeout : TimeSpan.FromMilliseconds((1.5 * (1 << flow.Retries) - 1) * 1000);
    }

    /// <summary>
    /// A retrying flow may be left pending while later actors run only where the model lets them act before it is done:
    /// an interleaved schedule, and no constraint that waits for one of its milestones (the model holds such an actor
    /// until the flow is finished, retransmissions included).
    /// </summary>
    private static bool Detachable(ScenarioModel scenario, FlowActor flow) =>
        !scenario.Sequential && !scenario.Constraints.Any(c => c.Before == flow.Name);

    /// <summary>Splits a conntrack command into arguments (double quotes group), dropping a leading <c>conntrack</c>.</summary>
    public static IReadOnlyList<string> Arguments(string command)
    {
        var arguments = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in command)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any)
                {
                    arguments.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
        {
            arguments.Add(current.ToString());
        }

        return arguments.Count > 0 && arguments[0] == "conntrack" ? arguments.Skip(1).ToList() : arguments;
    }

    /// <summary>Kahn's algorithm over whole actors (A before B for every "A.x &lt; B.y"), spec order breaking ties.</summary>
    private static List<Actor> ConstrainedOrder(ScenarioModel scenario)
    {
        var count = scenario.Actors.Count;
        var edges = new List<int>[count];
        var incoming = new int[count];
        for (var i = 0; i < count; i++)
        {
            edges[i] = [];
        }

        foreach (var c in scenario.Constraints)
        {
            var before = scenario.IndexOf(c.Before);
            var after = scenario.IndexOf(c.After);
            if (!edges[before].Contains(after))
            {
                edges[before].Add(after);
                incoming[after]++;
            }
        }

        var order = new List<Actor>();
        var done = new bool[count];
        while (order.Count < count)
        {
            var next = Enumerable.Range(0, count).FirstOrDefault(i => !done[i] && incoming[i] == 0, -1);
            if (next < 0)
            {
                var stuck = Enumerable.Range(0, count).Where(i => !done[i]).Select(i => scenario.Actors[i].Name);
                var relevant = scenario.Constraints.Where(c => stuck.Contains(c.Before) && stuck.Contains(c.After)).Select(c => c.Text);
                throw new UnsupportedScenarioException(
                    $"the order constraints [{string.Join("; ", relevant)}] place actors inside each other's steps: only a race inside the "
                    + "kernel (paused between conntrack creation and confirmation) produces that ordering, and the oracle runs each actor to "
                    + "completion. Write the observable equivalent as a separate spec (e.g. the other actor first, schedule: sequential).");
            }

            done[next] = true;
            order.Add(scenario.Actors[next]);
            foreach (var after in edges[next])
            {
                incoming[after]--;
            }
        }

        return order;
    }
}
