namespace NatVerify.Reporting;

/// <summary>One uninterrupted piece of a kernel script's schedule: an actor's whole life, or one GC collection.</summary>
/// <param name="Actor">The actor that runs (for GC: the actor whose expired entry is collected).</param>
/// <param name="IsGc">True for a garbage collection of <paramref name="Actor"/>'s expired entry.</param>
/// <param name="Steps">The trace's step numbers this unit covers, ascending.</param>
public sealed record ScheduleUnit(int Actor, bool IsGc, IReadOnlyList<int> Steps);
