using NatVerify.Model;
using NatVerify.Verification;

namespace NatVerify.Policy;

/// <summary>How <see cref="PolicyAnalyzer.Analyze"/> runs: the kernel profile, the capacity threshold, where witnesses go, and bounds.</summary>
public sealed record PolicyOptions
{
    /// <summary>The kernel profile consequences and witnesses are judged on.</summary>
    public KernelProfile Profile { get; init; } = KernelProfile.Linux612;

    /// <summary>Pools holding fewer concurrent flows per destination than this are a <c>capacity</c> warning; larger ones a note.</summary>
    public long CapacityThreshold { get; init; } = 1024;

    /// <summary>Directory the witness specs are written to; null: witnesses are still built and verified, but not written.</summary>
    public string? WitnessDir { get; init; }

    /// <summary>Bound on the states one witness check may explore.</summary>
    public long MaxStates { get; init; } = 1_000_000;

    /// <summary>Bound on the wall time of the whole analysis (reachability and witness checks).</summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Cancelled by the caller's whole-run bounds (<c>natverify policy --timeout/--max-memory</c>): the reachability
    /// walk and the witness checks stop at their next look, and the report says the analysis was cut short.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Bound on the cubes one rule's reachable set and its chain's remainder may hold together.</summary>
    public int MaxCubes { get; init; } = 2_000_000;

    /// <summary>
    /// Checks one witness spec (its file name, its text, the settings): where the witness checks run, e.g. on a
    /// cluster (<c>natverify policy --cluster</c>, docs/distributed.md). Null: <see cref="Verifier.Check"/> in this
    /// process. It must return what <see cref="Verifier.Check"/> would for the same spec and settings.
    /// </summary>
    public Func<string, string, CheckSettings, VerificationResult>? WitnessChecker { get; init; }
}
