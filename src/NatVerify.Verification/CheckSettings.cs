using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Semantics;

namespace NatVerify.Verification;

/// <summary>How to check a spec: kernel profile (null: the spec's own), mutant, properties (null: the spec's) and engine options.</summary>
public sealed record CheckSettings
{
    /// <summary>Overrides the spec's kernel profile.</summary>
    public KernelProfile? Profile { get; init; }

    /// <summary>A deliberately broken kernel to check instead of the real one.</summary>
    public KernelMutant Mutant { get; init; } = KernelMutant.None;

    /// <summary>Overrides the spec's property list.</summary>
    public IReadOnlyList<string>? Properties { get; init; }

    /// <summary>
    /// Whether breadth-first search queues states in <see cref="NatStateEncoder"/>'s packed form (the default) or as
    /// objects; results are the same either way, only memory and time differ (kept for measuring, docs/performance.md).
    /// </summary>
    public bool PackedFrontier { get; init; } = true;

    /// <summary>
    /// Whether the single-threaded breadth-first search may fingerprint states by <see cref="NatStateEncoder"/>'s per-run
    /// numbering (<see cref="IRunFingerprinter{TState}"/>, the default) instead of hashing their canonical bytes; the
    /// states explored are the same either way (kept for measuring and for the tests that compare the two).
    /// </summary>
    public bool RunFingerprints { get; init; } = true;

    /// <summary>
    /// Whether states that differ only by a renaming of interchangeable actors (<see cref="ActorSymmetry"/>) share a
    /// fingerprint. Verdicts, violated properties and the set of joint outcomes are those of the full search: the
    /// outcome set is closed under the renamings, each added outcome with a witness replayed through the semantics.
    /// </summary>
    public bool Symmetry { get; init; }

    /// <summary>Engine options (search order and bounds).</summary>
    public CheckerOptions Options { get; init; } = new() { StopAtFirstViolation = false };
}
