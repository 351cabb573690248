using NatVerify.Traces;

namespace NatVerify.Reporting;

/// <summary>
/// The structured form of a trace that every rendering (text, Markdown, HTML, SVG) is produced from: a header, the
/// lanes, one <see cref="StepView"/> per step and the final state.
/// </summary>
/// <param name="Title">What the trace shows, e.g. <c>Counterexample for null-binding-identity-when-free</c>.</param>
/// <param name="Facts">Header facts in display order (spec, profile, mutant, property, ...).</param>
/// <param name="Lanes">The lanes: actors that step, in actor order, then the conntrack table (always last).</param>
/// <param name="Steps">The steps.</param>
/// <param name="FinalTable">The final table in <c>conntrack -L</c> form.</param>
/// <param name="FinalCounters">The final <c>conntrack -S</c> counters.</param>
/// <param name="Outcomes">Every actor's outcome in the final state.</param>
/// <param name="SpecText">The spec's YAML text, when known.</param>
public sealed record TraceView(
    string Title, IReadOnlyList<KeyValuePair<string, string>> Facts, IReadOnlyList<LaneView> Lanes, IReadOnlyList<StepView> Steps,
    IReadOnlyList<string> FinalTable, Counters FinalCounters, IReadOnlyList<ActorOutcome> Outcomes, string? SpecText);
