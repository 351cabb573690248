using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;

namespace NatVerify.Traces;

/// <summary>The result of re-executing a trace file's choices.</summary>
public sealed record ReplayResult
{
    /// <summary>The trace file replayed.</summary>
    public required TraceFile File { get; init; }

    /// <summary>The spec replayed against.</summary>
    public required ScenarioSpec Spec { get; init; }

    /// <summary>The semantics replayed in.</summary>
    public required NatSemantics Semantics { get; init; }

    /// <summary>The steps replayed (all of them unless <see cref="Divergence"/> is set).</summary>
    public required Trace<NatState, NatStep> Trace { get; init; }

    /// <summary>The first divergence, or null when every choice was found and the final state matches the file.</summary>
    public Divergence? Divergence { get; init; }

    /// <summary>For violation traces: the property's message in the final replayed state, or null when it holds there.</summary>
    public string? Violation { get; init; }

    /// <summary>For violation traces: the first step after which the property fails (0: the initial state), or null.</summary>
    public int? FirstViolatingStep { get; init; }

    /// <summary>Observations that do not stop the replay (e.g. a successor found at another index than recorded).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>True when the trace replayed completely and shows what it recorded (its violation, or its outcomes).</summary>
    public bool Reproduced => Divergence is null && (File.Kind == TraceKind.Witness || Violation is not null);
}
