using NatVerify.Oracle.Agent;

namespace NatVerify.Oracle.Kernel;

/// <summary>Everything one oracle run read from the kernel after the last actor.</summary>
public sealed record KernelObservation
{
    /// <summary>The entries <c>conntrack -L</c> listed in the NAT namespace.</summary>
    public required IReadOnlyList<KernelEntry> Entries { get; init; }

    /// <summary>Lines of <c>conntrack -L</c> that were not entries of a tracked protocol.</summary>
    public required IReadOnlyList<string> UnparsedLines { get; init; }

    /// <summary>How far the <c>conntrack -S</c> counters moved while the actors ran.</summary>
    public required KernelCounters Counters { get; init; }

    /// <summary>Each flow, by actor name.</summary>
    public required IReadOnlyDictionary<string, ObservedFlow> Flows { get; init; }

    /// <summary>Each ctnetlink event, by actor name.</summary>
    public required IReadOnlyDictionary<string, ObservedEvent> Events { get; init; }

    /// <summary>Server records that belong to no flow (a foreign tag or none).</summary>
    public required IReadOnlyList<ServerRecord> StrayRecords { get; init; }
}
