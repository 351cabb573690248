namespace NatVerify.Oracle.Agent;

/// <summary>An agent's answer to one <see cref="AgentRequest"/>, one JSON line on its standard output.</summary>
public sealed record AgentResponse
{
    /// <summary>True when the request was carried out.</summary>
    public bool Ok { get; init; }

    /// <summary>Why not, when <see cref="Ok"/> is false.</summary>
    public string? Error { get; init; }

    /// <summary><c>hello</c>: the agent's process id.</summary>
    public int Pid { get; init; }

    /// <summary><c>flows</c>: one result per requested flow, in request order.</summary>
    public IReadOnlyList<FlowResult>? Results { get; init; }

    /// <summary><c>report</c>: everything the servers recorded so far, in arrival order.</summary>
    public IReadOnlyList<ServerRecord>? Seen { get; init; }
}
