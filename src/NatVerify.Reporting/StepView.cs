using NatVerify.Traces;

namespace NatVerify.Reporting;

/// <summary>Everything a rendering shows about one step, computed once from the model (never from rendered text).</summary>
/// <param name="Number">1-based step number.</param>
/// <param name="Lane">Index of the actor's lane in <see cref="TraceView.Lanes"/>.</param>
/// <param name="Actor">The actor's name.</param>
/// <param name="Role">The actor's role (<see cref="LaneView.Role"/>).</param>
/// <param name="Kind">The step kind (<see cref="StepKinds"/>).</param>
/// <param name="Headline">One sentence saying what happened.</param>
/// <param name="KernelFunction">The kernel function (call chain) the step models.</param>
/// <param name="Reads">Every probe of the table, in order, with its answer.</param>
/// <param name="Changes">The diff: table entries added, altered or removed, and private changes.</param>
/// <param name="TableAfter">The table in <c>conntrack -L</c> form after the step, when it changed; otherwise null.</param>
/// <param name="CountersMoved">The counters that moved (<c>insert_failed +1</c>), empty when none did.</param>
/// <param name="CountersAfter">The <c>conntrack -S</c> counters after the step.</param>
/// <param name="Clash">True when the step found a tuple taken (a probe answered taken, a confirm clash, EEXIST).</param>
/// <param name="Rewrite">True when the step changed a tuple (a NAT manip that chose another tuple).</param>
/// <param name="TouchesTable">True when the step read or wrote the confirmed table.</param>
public sealed record StepView(
    int Number, int Lane, string Actor, string Role, string Kind, string Headline, string KernelFunction,
    IReadOnlyList<ReadView> Reads, IReadOnlyList<ChangeView> Changes, IReadOnlyList<string>? TableAfter,
    IReadOnlyList<string> CountersMoved, Counters CountersAfter, bool Clash, bool Rewrite, bool TouchesTable)
{
    /// <summary>The rules that decided the packet's fate in this step, with their locations (empty when none did).</summary>
    public IReadOnlyList<RuleView> Rules { get; init; } = [];
}
