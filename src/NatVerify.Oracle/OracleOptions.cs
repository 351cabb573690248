using NatVerify.Model;
using NatVerify.Oracle.Agent;

namespace NatVerify.Oracle;

/// <summary>How to run the oracle.</summary>
public sealed record OracleOptions
{
    /// <summary>How to start the project's binary as the agent inside namespaces.</summary>
    public required AgentLaunch Agent { get; init; }

    /// <summary>The kernel profile to compare with; null: the spec's own.</summary>
    public KernelProfile? Profile { get; init; }

    /// <summary>A deliberately broken model to compare with instead (the oracle should then disagree).</summary>
    public KernelMutant Mutant { get; init; } = KernelMutant.None;

    /// <summary>How many independent runs (each on freshly built namespaces).</summary>
    public int Runs { get; init; } = 1;

    /// <summary>The seed of every random choice the oracle makes (namespace names, flow tags); printed with the report.</summary>
    public int Seed { get; init; }

    /// <summary>How long a flow may take: a TCP connect or an echo reply, or a UDP datagram's arrival. Shorter than TCP's 1 s initial RTO, so a dropped SYN is normally not retransmitted.</summary>
    public TimeSpan FlowTimeout { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>An agent exits by itself after this long, even if the oracle died without stopping it.</summary>
    public TimeSpan AgentLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Receives a line for each stage of each run (for <c>--verbose</c>).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Called as each stage of a run begins (<c>topology</c>, <c>ruleset</c>, <c>agents</c>, <c>drive</c>, <c>observe</c>); tests throw from it to check clean-up.</summary>
    public Action<string>? OnStage { get; init; }
}
