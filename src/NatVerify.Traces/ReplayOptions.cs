using NatVerify.Model;
using NatVerify.Specs;

namespace NatVerify.Traces;

/// <summary>What to replay a trace against instead of what it recorded (all optional).</summary>
public sealed record ReplayOptions
{
    /// <summary>Replay against this spec instead of the embedded one (actors are matched by name).</summary>
    public ScenarioSpec? Spec { get; init; }

    /// <summary>Replay under this kernel profile instead of the recorded one.</summary>
    public KernelProfile? Profile { get; init; }

    /// <summary>Replay under this mutant instead of the recorded one (<see cref="KernelMutant.None"/>: the real kernel).</summary>
    public KernelMutant? Mutant { get; init; }
}
