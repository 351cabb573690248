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
public sealed class OutcomeSet
{
    private readonly Dictionary<string, JointOutcome> _joint = [];
    private readonly List<string> _order = [];

    /// <summary>Actor names, in scenario order.</summary>
    public required IReadOnlyList<string> Actors { get; init; }

    /// <summary>Distinct joint outcomes in the order first reached (BFS: shortest witnesses first).</summary>
    public IReadOnlyList<JointOutcome> Joint => _order.Select(k => _joint[k]).ToList();

    /// <summary>The distinct outcomes of one actor, in first-reached order.</summary>
    public IReadOnlyList<Outcome> Of(int actor) => Joint.Select(j => j.Outcomes[actor]).Distinct().ToList();

    /// <summary>Records a terminal state (or <paramref name="count"/> of them with the same outcomes, as the cluster engine reports them).</summary>
    internal void Add(IReadOnlyList<Outcome> outcomes, Func<Trace<NatState, NatStep>> witness, long count = 1)
    {
        AddJoint(outcomes, witness, count, -1);
    }

    /// <summary>
    /// Records a joint outcome no searched state has but symmetry implies: the renaming of <paramref name="reached"/>
    /// (an outcome already recorded), with no terminal states of its own.
    /// </summary>
    internal void AddRenamed(IReadOnlyList<Outcome> outcomes, Func<Trace<NatState, NatStep>> witness, IReadOnlyList<Outcome> reached)
    {
        var from = _order.IndexOf(Key(reached));
        if (from < 0)
        {
            throw new InvalidOperationException("a renamed outcome must rename an outcome the search reached");
        }

        AddJoint(outcomes, witness, 0, from);
    }

    private static string Key(IReadOnlyList<Outcome> outcomes) => string.Join("|", outcomes);

    private void AddJoint(IReadOnlyList<Outcome> outcomes, Func<Trace<NatState, NatStep>> witness, long count, int renamedFrom)
    {
        var key = Key(outcomes);
        if (_joint.TryGetValue(key, out var existing))
        {
            _joint[key] = existing with { TerminalStates = existing.TerminalStates + count };
            return;
        }

        _joint[key] = new JointOutcome(outcomes, count, witness()) { RenamedFrom = renamedFrom };
        _order.Add(key);
    }
}
