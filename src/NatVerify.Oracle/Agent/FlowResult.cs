namespace NatVerify.Oracle.Agent;

/// <summary>What the sending side saw of one flow.</summary>
public sealed record FlowResult
{
    /// <summary>The flow's tag.</summary>
    public required string Tag { get; init; }

    /// <summary>
    /// <c>connected</c>, <c>refused</c>, <c>timeout</c>, <c>unreachable</c> (TCP); <c>sent</c> (UDP);
    /// <c>replied</c>, <c>timeout</c> (ICMP); <c>error</c> for anything else (see <see cref="Detail"/>).
    /// </summary>
    public required string Result { get; init; }

    /// <summary>A message for errors.</summary>
    public string? Detail { get; init; }

    /// <summary>TCP: SYN retransmissions before the connect finished or was abandoned (<c>tcpi_total_retrans</c>).</summary>
    public int SynRetransmits { get; init; }

    /// <summary>ICMP: the echo id of the reply as the socket received it (after reverse NAT).</summary>
    public int? ReplyId { get; init; }
}
