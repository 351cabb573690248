using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>One joint outcome (every actor's outcome in a terminal state), how often it was reached and a shortest witness.</summary>
public sealed record JointOutcome(IReadOnlyList<Outcome> Outcomes, long TerminalStates, Trace<NatState, NatStep> Witness);

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
        var key = string.Join("|", outcomes);
        if (_joint.TryGetValue(key, out var existing))
        {
            _joint[key] = existing with { TerminalStates = existing.TerminalStates + count };
            return;
        }

        _joint[key] = new JointOutcome(outcomes, count, witness());
        _order.Add(key);
    }
}
