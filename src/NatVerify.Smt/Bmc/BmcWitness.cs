using NatVerify.Model.Scenario;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// A satisfying assignment of the BMC formula as a concrete run: the scenario with every symbolic field replaced by
/// the solver's value, the schedule, and every intermediate state, so that the explicit engine can replay it.
/// </summary>
/// <param name="Scenario">The concrete scenario.</param>
/// <param name="Assignments">The values chosen for the symbolic fields.</param>
/// <param name="Steps">The steps, in order.</param>
/// <param name="States">States[0] is initial; States[k + 1] follows Steps[k].</param>
/// <param name="Goal">What the witness shows (a property violation or a joint outcome).</param>
public sealed record BmcWitness(
    ScenarioModel Scenario, IReadOnlyList<SymbolicAssignment> Assignments, IReadOnlyList<WitnessStep> Steps,
    IReadOnlyList<IReadOnlyList<WitnessSlot>> States, string Goal) : SmtCounterexample
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Describe()
    {
        var lines = new List<string> { $"witness for {Goal}:" };
        if (Assignments.Count > 0)
        {
            lines.Add("  values: " + string.Join(", ", Assignments));
        }

        lines.Add("  schedule: " + (Steps.Count == 0 ? "(no step)" : string.Join(", ", Steps.Select(s => $"{s.ActorName} {s.Kind}"))));
        return lines;
    }
}
