using NatVerify.Model;

namespace NatVerify.Smt.Bmc;

/// <summary>How to run bounded model checking on a spec.</summary>
public sealed record BmcSettings
{
    /// <summary>The bound K: every run of at most K atomic steps is covered.</summary>
    public required int Bound { get; init; }

    /// <summary>Overrides the spec's kernel profile.</summary>
    public KernelProfile? Profile { get; init; }

    /// <summary>A deliberately broken kernel to check instead of the real one.</summary>
    public KernelMutant Mutant { get; init; } = KernelMutant.None;

    /// <summary>Overrides the spec's property list.</summary>
    public IReadOnlyList<string>? Properties { get; init; }

    /// <summary>The solver's time limit for each query (a cap; <see cref="RunTimeout"/> bounds the run).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The time limit of the whole run, encoding included, or null for none: the encoding is checked against it step
    /// by step and every query gets at most the time left.
    /// </summary>
    public TimeSpan? RunTimeout { get; init; }

    /// <summary>
    /// The bound on the process's resident memory in bytes, or null for none: checked while encoding and during every
    /// query, and given to Z3 as its allocation limit (<c>memory_max_size</c>).
    /// </summary>
    public long? MaxMemoryBytes { get; init; }

    /// <summary>Whether to enumerate the joint outcomes of terminal states at the bound.</summary>
    public bool Outcomes { get; init; } = true;

    /// <summary>Most joint outcomes enumerated before the enumeration stops (reported as incomplete).</summary>
    public int MaxJointOutcomes { get; init; } = 256;
}
