namespace NatVerify.Model.Steps;

/// <summary>
/// <c>conntrack -I</c>: <c>ctnetlink_new_conntrack</c> -> <c>ctnetlink_create_conntrack</c> ->
/// <c>nf_conntrack_hash_check_insert</c> (both buckets locked; -EEXIST on any equal linked node; no NAT).
/// </summary>
/// <param name="Actor">The insert event.</param>
/// <param name="ClashWith">The actor whose node clashed (-EEXIST), or -1 when inserted.</param>
public sealed record CtnetlinkInsertStep(int Actor, int ClashWith) : NatStep(Actor)
{
    /// <inheritdoc />
    public override string KernelFunction => "ctnetlink_create_conntrack -> nf_conntrack_hash_check_insert";
}

/// <summary>
/// <c>conntrack -D</c>: <c>ctnetlink_del_conntrack</c> / dump-and-delete, each via <c>nf_ct_delete</c>
/// (DYING then unlink, atomic here because no step can observe the window with a different outcome).
/// </summary>
/// <param name="Actor">The delete event.</param>
/// <param name="Deleted">The actors whose entries were unlinked.</param>
public sealed record CtnetlinkDeleteStep(int Actor, IReadOnlyList<int> Deleted) : NatStep(Actor)
{
    /// <inheritdoc />
    public override string KernelFunction => "ctnetlink_del_conntrack -> nf_ct_delete";
}

/// <summary>The target entry's timeout passes (<c>nf_ct_is_expired</c> becomes true); it stays linked until collected.</summary>
/// <param name="Actor">The timeout event.</param>
/// <param name="Target">The actor whose entry expired, or -1 when it had none to expire.</param>
public sealed record TimeoutStep(int Actor, int Target) : NatStep(Actor)
{
    /// <inheritdoc />
    public override string KernelFunction => "ct->timeout passes (nf_ct_is_expired)";
}

/// <summary>The conntrack GC worker unlinks an expired entry: <c>gc_worker</c> -> <c>nf_ct_gc_expired</c> -> <c>nf_ct_delete</c>.</summary>
/// <param name="Target">The actor whose expired entry is collected.</param>
public sealed record GcStep(int Target) : NatStep(-1)
{
    /// <inheritdoc />
    public override string KernelFunction => "gc_worker -> nf_ct_gc_expired -> nf_ct_delete";
}

/// <summary>
/// The close of a TCP connection (FIN handshake or RST) as <c>tcp_packet</c> sees it on the confirmed entry:
/// <c>tcp_conntracks</c> moves it to TIME_WAIT or CLOSE; the entry stays linked with both tuples until its timeout.
/// </summary>
/// <param name="Actor">The close event.</param>
/// <param name="Target">The actor whose entry closed, or -1 when it had none.</param>
/// <param name="How">FIN or RST.</param>
public sealed record CloseStep(int Actor, int Target, Scenario.CloseKind How) : NatStep(Actor)
{
    /// <inheritdoc />
    public override string KernelFunction => How == Scenario.CloseKind.Fin
        ? "nf_conntrack_in -> nf_conntrack_tcp_packet -> tcp_packet (FIN/ACK: TCP_CONNTRACK_TIME_WAIT)"
        : "nf_conntrack_in -> nf_conntrack_tcp_packet -> tcp_packet (RST: TCP_CONNTRACK_CLOSE)";
}

/// <summary>
/// TCP sends the SYN dropped at confirm again (<c>tcp_retransmit_timer</c>: 1 s, then doubling, up to
/// <c>net.ipv4.tcp_syn_retries</c>); the dropped entry was freed, so the retransmission is a new first packet.
/// </summary>
/// <param name="Actor">The flow.</param>
/// <param name="Attempt">The retransmission's number (1 for the first retry).</param>
public sealed record RetransmitStep(int Actor, int Attempt) : NatStep(Actor)
{
    /// <inheritdoc />
    public override string KernelFunction => "tcp_retransmit_timer -> tcp_retransmit_skb (SYN sent again: a new first packet)";
}
