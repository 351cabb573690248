namespace NatVerify.Traces;

/// <summary>
/// One recorded choice: which actor stepped, what kind of step, and which successor was taken, identified both by
/// its index among all successors the model offered in that state and by a structural description (the stable
/// identity replay matches on, e.g. <c>POSTROUTING SRC null binding: ... =&gt; tcp 198.51.100.1:fresh#1(1024-65535) -&gt; ...</c>).
/// </summary>
/// <param name="Number">1-based step number.</param>
/// <param name="Actor">Index of the actor in the spec's actor list (-1 for the conntrack GC worker).</param>
/// <param name="ActorName">The actor's name (<c>gc_worker</c> for the GC worker); replay matches actors by name.</param>
/// <param name="Kind">The step kind (<see cref="StepKinds"/>).</param>
/// <param name="Successor">0-based index of the chosen successor among all successors of the state.</param>
/// <param name="Enabled">How many successors the state had.</param>
/// <param name="Description">The structural description of the chosen step (<see cref="ChoiceDescriber"/>).</param>
public sealed record TraceChoice(int Number, int Actor, string ActorName, string Kind, int Successor, int Enabled, string Description)
{
    /// <summary>The rules that decided the packet's fate in this step, with their locations (empty when none did).</summary>
    public IReadOnlyList<TraceRule> Rules { get; init; } = [];
}
