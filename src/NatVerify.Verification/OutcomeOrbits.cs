using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>
/// Closes an outcome set under the renamings of interchangeable actors. A search with <see cref="ActorSymmetry"/>
/// stores one state per orbit, so of the joint outcomes <c>(dropped, kept)</c> and <c>(kept, dropped)</c> of two
/// interchangeable flows it may reach only one; the other is reachable by the renamed run. For every joint outcome
/// reached, every distinct rearrangement within the classes is added, with a witness found by replaying the renamed run
/// through the semantics step by step (so each added witness is a real run, checked as it is built).
/// </summary>
internal sealed class OutcomeOrbits(ActorSymmetry symmetry)
{
    private readonly Dictionary<string, (Outcome[] Outcomes, Trace<NatState, NatStep> Witness)> _orbits = [];

    /// <summary>Records the witness of a joint outcome reached by the search (the first one per orbit is kept) and returns it.</summary>
    public Trace<NatState, NatStep> Witnessed(IReadOnlyList<Outcome> outcomes, Trace<NatState, NatStep> witness)
    {
        _orbits.TryAdd(OrbitKey(outcomes), ([.. outcomes], witness));
        return witness;
    }

    /// <summary>Adds every renamed joint outcome the search did not reach itself, each with a replayed witness.</summary>
    public void Close(OutcomeSet outcomes, ISearchSuccessors<NatState, NatStep> system)
    {
        var reached = outcomes.Joint.Select(j => Key(j.Outcomes)).ToHashSet();
        foreach (var (reps, witness) in _orbits.Values)
        {
            var from = new int[reps.Length];
            for (var i = 0; i < from.Length; i++)
            {
                from[i] = i;
            }

            Arrange(reps, from, 0, 0, new bool[reps.Length], f =>
            {
                ArrangeRaces(reps, 0, new List<int[]>(), perms =>
                {
                    var renaming = symmetry.Arrange(f, perms);
                    var image = new Outcome[reps.Length];
                    for (var i = 0; i < image.Length; i++)
                    {
                        image[i] = reps[renaming.From[i]];
                    }

                    if (reached.Add(Key(image)))
                    {
                        outcomes.AddRenamed(image, () => Renamed(witness, renaming, system), reps);
                    }
                });
            });
        }
    }

    /// <summary>Calls <paramref name="visit"/> once per distinct rearrangement of the races of each race type (by their outcomes).</summary>
    private void ArrangeRaces(Outcome[] outcomes, int type, List<int[]> perms, Action<IReadOnlyList<int[]>> visit)
    {
        if (type == symmetry.Races.Count)
        {
            visit(perms);
            return;
        }

        var races = symmetry.Races[type].Races;
        var keys = races.Select(r => string.Join("|", r.Select(a => outcomes[a]))).ToArray();
        var perm = new int[races.Length];
        var used = new bool[races.Length];
        Place(0);

        void Place(int a)
        {
            if (a == races.Length)
            {
                perms.Add((int[])perm.Clone());
                ArrangeRaces(outcomes, type + 1, perms, visit);
                perms.RemoveAt(perms.Count - 1);
                return;
            }

            for (var src = 0; src < races.Length; src++)
            {
                if (used[src] || Enumerable.Range(0, src).Any(e => !used[e] && keys[e] == keys[src]))
                {
                    continue;
                }

                used[src] = true;
                perm[a] = src;
                Place(a + 1);
                used[src] = false;
            }
        }
    }

    /// <summary>
    /// The run <paramref name="witness"/> with actors renamed by <paramref name="from"/>: from the initial state (fixed by
    /// every renaming), each step is the enabled step whose successor is the renamed successor of the original step.
    /// </summary>
    internal static Trace<NatState, NatStep> Renamed(Trace<NatState, NatStep> witness, int[] from, ISearchSuccessors<NatState, NatStep> system) =>
        Renamed(witness, Renaming.OfActors(from), system);

    /// <summary>
    /// The run <paramref name="witness"/> renamed by <paramref name="renaming"/> (actors, and the concrete ports and marks
    /// of races): each step is the enabled step whose successor is the renamed successor of the original step.
    /// </summary>
    internal static Trace<NatState, NatStep> Renamed(Trace<NatState, NatStep> witness, Renaming renaming, ISearchSuccessors<NatState, NatStep> system)
    {
        if (!renaming.Apply(witness.Initial).Equals(witness.Initial))
        {
            throw new InvalidOperationException("a renaming of interchangeable actors changed the initial state");
        }

        var state = witness.Initial;
        var steps = new List<Transition<NatState, NatStep>>(witness.Steps.Count);
        var successors = new List<Transition<NatState, NatStep>>();
        foreach (var original in witness.Steps)
        {
            var target = renaming.Apply(original.Next);
            successors.Clear();
            system.Successors(state, successors);
            var found = successors.FindIndex(t => t.Next.Equals(target));
            if (found < 0)
            {
                throw new InvalidOperationException(
                    $"the renamed run has no step to the renamed state after {steps.Count} steps: the actors (races) are not interchangeable");
            }

            steps.Add(successors[found]);
            state = successors[found].Next;
        }

        return new Trace<NatState, NatStep>(witness.Initial, steps);
    }

    /// <summary>Calls <paramref name="visit"/> once per distinct rearrangement of <paramref name="outcomes"/> within the classes.</summary>
    private void Arrange(Outcome[] outcomes, int[] from, int cls, int j, bool[] used, Action<int[]> visit)
    {
        if (cls == symmetry.Classes.Count)
        {
            visit(from);
            return;
        }

        var members = symmetry.Classes[cls];
        if (j == members.Count)
        {
            Arrange(outcomes, from, cls + 1, 0, used, visit);
            return;
        }

        for (var a = 0; a < members.Count; a++)
        {
            var q = members[a];
            if (used[q] || Earlier(outcomes, members, a, used))
            {
                continue;
            }

            used[q] = true;
            from[members[j]] = q;
            Arrange(outcomes, from, cls, j + 1, used, visit);
            used[q] = false;
        }

        // Only the first unused member with a given outcome is tried, so each distinct arrangement is visited once.
        static bool Earlier(Outcome[] outcomes, IReadOnlyList<int> members, int a, bool[] used)
        {
            for (var b = 0; b < a; b++)
            {
                if (!used[members[b]] && outcomes[members[b]] == outcomes[members[a]])
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The joint outcome with each class's outcomes sorted: equal for every rearrangement within the classes.</summary>
    private string OrbitKey(IReadOnlyList<Outcome> outcomes)
    {
        var copy = outcomes.Select(o => o.ToString()).ToArray();
        foreach (var members in symmetry.Classes)
        {
            var sorted = members.Select(m => copy[m]).Order(StringComparer.Ordinal).ToArray();
            for (var k = 0; k < members.Count; k++)
            {
                copy[members[k]] = sorted[k];
            }
        }

        // Race members are keyed by their races' outcome vectors, sorted, below.
        foreach (var a in symmetry.Races.SelectMany(t => t.Races).SelectMany(r => r))
        {
            copy[a] = "*";
        }

        var key = string.Join("|", copy);
        foreach (var type in symmetry.Races)
        {
            key += "#" + string.Join("/", type.Races.Select(r => string.Join("|", r.Select(a => outcomes[a]))).Order(StringComparer.Ordinal));
        }

        return key;
    }

    private static string Key(IReadOnlyList<Outcome> outcomes) => string.Join("|", outcomes);
}
