using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>One joint outcome (every actor's outcome in a terminal state), how often it was reached and a shortest witness.</summary>
/// <param name="Outcomes">Every actor's outcome, in scenario order.</param>
/// <param name="TerminalStates">Terminal states of the searched graph with these outcomes; 0 for an outcome added by renaming.</param>
/// <param name="Witness">A shortest witness (for an outcome added by renaming: its representative's witness, renamed and replayed).</param>
public sealed record JointOutcome(IReadOnlyList<Outcome> Outcomes, long TerminalStates, Trace<NatState, NatStep> Witness)
{
    /// <summary>
    /// For an outcome the search did not reach itself but that symmetry reduction implies (a renaming of interchangeable
    /// actors or races): the index in <see cref="OutcomeSet.Joint"/> of the reached outcome it renames; -1 otherwise.
    /// </summary>
    public int RenamedFrom { get; init; } = -1;
}

/// <summary>The outcomes of all terminal states reached, jointly and per actor.</summary>
/// <remarks>
/// Every terminal state of a search is counted here (millions in a large run), so a known joint outcome is found by its
/// outcomes themselves, not by a key string, and counted in place (<see cref="TryCount"/>).
/// </remarks>
public sealed class OutcomeSet
{
    private readonly Dictionary<Outcome[], Entry> _joint = new(OutcomesComparer.Instance);
    private readonly List<Entry> _order = [];

    /// <summary>Actor names, in scenario order.</summary>
    public required IReadOnlyList<string> Actors { get; init; }

    /// <summary>Distinct joint outcomes in the order first reached (BFS: shortest witnesses first).</summary>
    public IReadOnlyList<JointOutcome> Joint => _order.Select(e => new JointOutcome(e.Outcomes, e.TerminalStates, e.Witness) { RenamedFrom = e.RenamedFrom }).ToList();

    /// <summary>The distinct outcomes of one actor, in first-reached order.</summary>
    public IReadOnlyList<Outcome> Of(int actor) => _order.Select(e => e.Outcomes[actor]).Distinct().ToList();

    /// <summary>
    /// Counts one more terminal state with these outcomes when the joint outcome is already recorded; false (nothing
    /// recorded) when it is new, for <see cref="Add"/>. The array is only read.
    /// </summary>
    internal bool TryCount(Outcome[] outcomes)
    {
        if (!_joint.TryGetValue(outcomes, out var entry))
        {
            return false;
        }

        entry.TerminalStates++;
        return true;
    }

    /// <summary>Records a terminal state (or <paramref name="count"/> of them with the same outcomes, as the cluster engine reports them).</summary>
    internal void Add(IReadOnlyList<Outcome> outcomes, Func<Trace<NatState, NatStep>> witness, long count = 1)
    {
        AddJoint([.. outcomes], witness, count, -1);
    }

    /// <summary>
    /// Records a joint outcome no searched state has but symmetry implies: the renaming of <paramref name="reached"/>
    /// (an outcome already recorded), with no terminal states of its own.
    /// </summary>
    internal void AddRenamed(IReadOnlyList<Outcome> outcomes, Func<Trace<NatState, NatStep>> witness, IReadOnlyList<Outcome> reached)
    {
        if (!_joint.TryGetValue([.. reached], out var from))
        {
            throw new InvalidOperationException("a renamed outcome must rename an outcome the search reached");
        }

        AddJoint([.. outcomes], witness, 0, _order.IndexOf(from));
    }

    private void AddJoint(Outcome[] outcomes, Func<Trace<NatState, NatStep>> witness, long count, int renamedFrom)
    {
        if (_joint.TryGetValue(outcomes, out var existing))
        {
            existing.TerminalStates += count;
            return;
        }

        var entry = new Entry(outcomes, witness(), renamedFrom) { TerminalStates = count };
        _joint.Add(outcomes, entry);
        _order.Add(entry);
    }

    private sealed class Entry(Outcome[] outcomes, Trace<NatState, NatStep> witness, int renamedFrom)
    {
        public Outcome[] Outcomes { get; } = outcomes;

        public Trace<NatState, NatStep> Witness { get; } = witness;

        public int RenamedFrom { get; } = renamedFrom;

        public long TerminalStates { get; set; }
    }

    /// <summary>Joint outcomes compared actor by actor.</summary>
    private sealed class OutcomesComparer : IEqualityComparer<Outcome[]>
    {
        public static readonly OutcomesComparer Instance = new();

        public bool Equals(Outcome[]? x, Outcome[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(Outcome[] outcomes)
        {
            var hash = new HashCode();
            foreach (var outcome in outcomes)
            {
                hash.Add(outcome);
            }

            return hash.ToHashCode();
        }
    }
}
