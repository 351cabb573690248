using System.Runtime.InteropServices;
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
/// <param name="Partner">Clash partner at confirm, or the entry a flow joined (an actor, or a pool's entry index); -1 when none.</param>
/// <param name="BySourceOrder">Position in <c>nf_nat_bysource</c> (higher = added later); 0 when absent.</param>
/// <param name="LinkedAtSrcProbe">
/// The actors whose entries were linked when this flow's SRC manip probed (ghost), as an <see cref="ActorSets"/> value:
/// with at most 64 actors bit i is actor i; read it with <see cref="ActorSets.Contains"/>.
/// </param>
/// <param name="Attempt">Flows: how many times the first packet was retransmitted so far (0 for the first try).</param>
/// <param name="Mark">
/// Flows in flight: the first packet's <c>skb-&gt;mark</c> as the rules evaluated so far left it (starts as the flow's
/// <c>mark:</c> at the conntrack step); 0 before the first step and once the flow is terminal.
/// </param>
/// <param name="CtMark">Flows in flight: the unconfirmed entry's <c>ct-&gt;mark</c> (0 from <c>init_conntrack</c>); 0 once terminal.</param>
/// <param name="DecidedBy">
/// Flows that ended <see cref="Phase.Untracked"/> or <see cref="Phase.Filtered"/>: 1 + the index of the rule or chain policy
/// that decided it in <see cref="Semantics.NatSemantics.Decider"/>; 0 when none (e.g. conntrack not active at all).
/// </param>
/// <remarks>
/// Laid out by the runtime (<see cref="LayoutKind.Auto"/>): in declaration order the one-byte and two-byte fields between
/// the tuples and the 8-byte set padded the slot to 80 bytes; sorted by size it is 72, and every successor copies
/// every slot.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly record struct Slot(
    Phase Phase, ConntrackTuple Reply, CtStatus Status, ConntrackTuple PreSrc, short Partner, ushort BySourceOrder, ulong LinkedAtSrcProbe,
    byte Attempt = 0, uint Mark = 0, uint CtMark = 0, ushort DecidedBy = 0)
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
