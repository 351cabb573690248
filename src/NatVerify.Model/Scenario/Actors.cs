using NatVerify.Model.Tuples;

namespace NatVerify.Model.Scenario;

/// <summary>The path a flow's first packet takes through the hooks.</summary>
public enum PacketPath
{
    /// <summary>Locally generated: LOCAL_OUT conntrack, LOCAL_OUT NAT (DST), POST_ROUTING NAT (SRC), confirm.</summary>
    LocalOut,

    /// <summary>Forwarded: PRE_ROUTING conntrack, PRE_ROUTING NAT (DST), POST_ROUTING NAT (SRC), confirm.</summary>
    Forward,

    /// <summary>Locally delivered: PRE_ROUTING conntrack, PRE_ROUTING NAT (DST), LOCAL_IN NAT (SRC), LOCAL_IN confirm.</summary>
    LocalIn,
}

/// <summary>Anything that steps in a scenario: a flow's first packet, or an external writer of the table.</summary>
public abstract record Actor(string Name);

/// <summary>
/// The first packet of a connection, from its conntrack creation to its confirmation. <see cref="Retries"/>: how many
/// times a first packet dropped at confirm is sent again (TCP SYN retransmission, <c>tcp_retransmit_timer</c>); each
/// retransmission is a new first packet (the dropped entry was freed). 0 models only the first packet.
/// </summary>
public sealed record FlowActor(
    string Name, ConntrackTuple Original, uint Mark, PacketPath Path, string? InInterface, string? OutInterface, int Retries = 0) : Actor(Name);

/// <summary>How a TCP connection closes.</summary>
public enum CloseKind
{
    /// <summary>FIN handshake: the entry goes to TIME_WAIT (<c>IP_CT_TCP_FLAG_CLOSE_INIT</c> seen).</summary>
    Fin,

    /// <summary>RST from the connection's original side: the entry goes to CLOSE (last RST in the original direction).</summary>
    Rst,
}

/// <summary>
/// A TCP connection created by flow <see cref="Target"/> closes: the packets of the close run through
/// <c>tcp_packet</c> on the confirmed entry, which moves to TIME_WAIT (FIN) or CLOSE (RST) and stays linked, holding
/// both tuples, until its timeout (an <see cref="EntryTimeout"/> event) or a reopening SYN kills it.
/// </summary>
public sealed record ConnectionClose(string Name, string Target, CloseKind How) : Actor(Name);

/// <summary>
/// <c>conntrack -I</c> without NAT attributes: <c>ctnetlink_create_conntrack</c> inserts the given original
/// and reply tuples verbatim through <c>nf_conntrack_hash_check_insert</c> (-EEXIST on any clash).
/// </summary>
public sealed record CtnetlinkInsert(string Name, ConntrackTuple Original, ConntrackTuple Reply, string Command) : Actor(Name)
{
    /// <summary>
    /// The TCP state <c>--state</c> gave (upper case, as conntrack-tools names it: <c>ESTABLISHED</c>, <c>SYN_SENT</c>...),
    /// or null: <c>nlattr_to_tcp</c> then leaves <c>ct->proto.tcp.state</c> at 0, <c>TCP_CONNTRACK_NONE</c>. Read when a
    /// SYN meets the entry in the reply direction (<c>tcp_conntracks</c>).
    /// </summary>
    public string? TcpState { get; init; }
}

/// <summary>
/// <c>conntrack -D</c>: <c>ctnetlink_del_conntrack</c> / the dump-and-delete the tool does for filters;
/// deletes every confirmed entry the filter matches, atomically in the model.
/// </summary>
public sealed record CtnetlinkDelete(string Name, TupleFilter Filter, string Command) : Actor(Name);

/// <summary>The timeout of another actor's entry runs out (it stays linked until garbage-collected).</summary>
public sealed record EntryTimeout(string Name, string Target) : Actor(Name);

/// <summary>A partial tuple filter as <c>conntrack -D</c> takes it; unset fields match anything.</summary>
public sealed record TupleFilter
{
    /// <summary><c>-p</c>.</summary>
    public Addressing.L4Protocol? Protocol { get; init; }

    /// <summary>Original-direction constraints (<c>-s -d --sport --dport</c>).</summary>
    public PartialTuple Original { get; init; } = new();

    /// <summary>Reply-direction constraints (<c>--reply-src</c> and friends).</summary>
    public PartialTuple Reply { get; init; } = new();

    /// <summary>True when the entry's tuples satisfy every set field.</summary>
    public bool Matches(ConntrackTuple original, ConntrackTuple reply) =>
        (Protocol is null || Protocol == original.Protocol) && Original.Matches(original) && Reply.Matches(reply);
}

/// <summary>Optional tuple fields.</summary>
public sealed record PartialTuple
{
    /// <summary>Source address.</summary>
    public Addressing.Ipv4? SrcIp { get; init; }

    /// <summary>Destination address.</summary>
    public Addressing.Ipv4? DstIp { get; init; }

    /// <summary>Source port.</summary>
    public int? SrcPort { get; init; }

    /// <summary>Destination port.</summary>
    public int? DstPort { get; init; }

    /// <summary>True when every set field equals the tuple's.</summary>
    /// <remarks>
    /// A fresh port never equals a filter port, and that is exact, not an under-approximation: fresh ports stand
    /// only for ports the scenario does not name, and <see cref="ScenarioModel.NamedPorts"/> names every filter
    /// port, so a pick that is exactly the filtered port is the concrete port itself.
    /// </remarks>
    public bool Matches(ConntrackTuple t) =>
        (SrcIp is null || SrcIp == t.SrcIp) && (DstIp is null || DstIp == t.DstIp)
        && (SrcPort is null || (!t.SrcPort.IsFresh && t.SrcPort.Raw == SrcPort))
        && (DstPort is null || (!t.DstPort.IsFresh && t.DstPort.Raw == DstPort));
}
