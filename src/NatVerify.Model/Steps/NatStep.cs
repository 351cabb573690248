using NatVerify.Model.Tuples;

namespace NatVerify.Model.Steps;

/// <summary>
/// One atomic step of the model. Every subtype names the kernel function it stands for in
/// <see cref="KernelFunction"/>; <see cref="Actor"/> is the scenario actor that stepped (-1 for the GC worker).
/// </summary>
public abstract record NatStep(int Actor)
{
    /// <summary>The kernel function (call chain) this step models.</summary>
    public abstract string KernelFunction { get; }

    /// <summary>Every probe of the table the step made, in order.</summary>
    public IReadOnlyList<Probe> Probes { get; init; } = [];

    /// <summary>Entries the step unlinked as a side effect (expired entries collected by a lookup or probe).</summary>
    public IReadOnlyList<int> Collected { get; init; } = [];
}

/// <summary>
/// One read of the confirmed table: <c>nf_conntrack_tuple_taken(Tuple)</c> or a lookup; <see cref="TakenBy"/>
/// is the actor whose linked node matched, or -1 when the tuple was free.
/// </summary>
public sealed record Probe(string Function, ConntrackTuple Tuple, int TakenBy, string? Note = null);
