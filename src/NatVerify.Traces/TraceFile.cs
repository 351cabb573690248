namespace NatVerify.Traces;

/// <summary>
/// A saved trace (<c>natverify-trace</c> version 1, documented in docs/traces.md): the embedded spec, the kernel
/// profile and mutant, the engine settings, every choice made, and what the final state shows. Everything a
/// rendering, a replay or a kernel script needs is derived from this by re-executing the choices.
/// </summary>
public sealed record TraceFile
{
    /// <summary>The value of the <c>format</c> key.</summary>
    public const string FormatName = "natverify-trace";

    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Violation or witness.</summary>
    public required TraceKind Kind { get; init; }

    /// <summary>The spec, embedded.</summary>
    public required EmbeddedSpec Spec { get; init; }

    /// <summary>The kernel profile name (e.g. <c>linux-6.12</c>).</summary>
    public required string Profile { get; init; }

    /// <summary>The mutant's CLI name (<c>none</c> for the real kernel).</summary>
    public required string Mutant { get; init; }

    /// <summary>The properties that were checked.</summary>
    public required IReadOnlyList<string> Properties { get; init; }

    /// <summary>The engine settings of the run that found the trace.</summary>
    public required EngineSettings Engine { get; init; }

    /// <summary>The random seed, for future random exploration modes; null: the exploration was exhaustive and deterministic.</summary>
    public ulong? Seed { get; init; }

    /// <summary>For violations: the violated property.</summary>
    public string? Property { get; init; }

    /// <summary>For violations: the property's message in the final state.</summary>
    public string? Message { get; init; }

    /// <summary>The actors of the spec, in order (choices refer to them by index and name).</summary>
    public required IReadOnlyList<string> Actors { get; init; }

    /// <summary>Every choice, in order.</summary>
    public required IReadOnlyList<TraceChoice> Steps { get; init; }

    /// <summary>Every actor's outcome in the final state (blocked for actors that have not finished).</summary>
    public required IReadOnlyList<ActorOutcome> Outcomes { get; init; }

    /// <summary>The confirmed table in the final state.</summary>
    public required IReadOnlyList<FinalEntry> FinalTable { get; init; }

    /// <summary>The <c>conntrack -S</c> counters the trace moved, by name, in a fixed order.</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> FinalCounters { get; init; }

    /// <summary>How this trace was minimised, when it was.</summary>
    public MinimizationInfo? Minimization { get; init; }
}
