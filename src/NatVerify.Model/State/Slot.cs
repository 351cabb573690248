using NatVerify.Model.Tuples;

namespace NatVerify.Model.State;

/// <summary>
/// One actor's part of the state: its phase, its entry's current reply tuple and status, and the ghost
/// facts the properties read. The original tuple never changes and lives in the scenario.
/// </summary>
/// <param name="Phase">Life cycle position.</param>
/// <param name="Reply">Current reply tuple (flows: after NAT; inserts: as given).</param>
/// <param name="Status">Kernel status bits and model bookkeeping.</param>
/// <param name="PreSrc">The original-direction tuple the SRC manip started from (ghost, for null-binding-scope).</param>
/// <param name="Partner">Clash partner at confirm, or the entry a flow joined; -1 when none.</param>
/// <param name="BySourceOrder">Position in <c>nf_nat_bysource</c> (higher = added later); 0 when absent.</param>
/// <param name="LinkedAtSrcProbe">Bit i set: actor i's entry was linked when this flow's SRC manip probed (ghost).</param>
/// <param name="Attempt">Flows: how many times the first packet was retransmitted so far (0 for the first try).</param>
public readonly record struct Slot(
    Phase Phase, ConntrackTuple Reply, CtStatus Status, ConntrackTuple PreSrc, sbyte Partner, byte BySourceOrder, ulong LinkedAtSrcProbe,
    byte Attempt = 0)
{
    /// <summary>True when the TCP connection of the entry has closed (TIME_WAIT or CLOSE).</summary>
    public bool TcpClosed => (Status & (CtStatus.TcpTimeWait | CtStatus.TcpClose)) != 0;

    /// <summary>True when the slot's entry is in the confirmed table.</summary>
    public bool Linked => Phase is Phase.Confirmed or Phase.ClashEntry or Phase.Inserted && (Status & CtStatus.Removed) == 0;

    /// <summary>True when the ORIGINAL node is linked too (false for NAT_CLASH entries).</summary>
    public bool OriginalLinked => Linked && (Status & CtStatus.NatClash) == 0;

    /// <summary>True when the actor will not step again.</summary>
    public bool Terminal => Phase >= Phase.Confirmed;

    /// <summary>True when the flow holds a private, unconfirmed entry.</summary>
    public bool Unconfirmed => Phase is Phase.Created or Phase.DstDone or Phase.SrcDone;

    /// <summary>True when a status bit is set.</summary>
    public bool Has(CtStatus bit) => (Status & bit) != 0;
}
