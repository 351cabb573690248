using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Smt.Bmc;

/// <summary>One actor's slot in a witness state, decoded from the model (the encoded part of <see cref="Slot"/>).</summary>
public sealed record WitnessSlot(
    Phase Phase, ConntrackTuple Reply, ConntrackTuple PreSrc, int Partner, CtStatus Status, int BySource, ulong LinkedAtSrcProbe, int Attempt = 0)
{
    /// <summary>The first packet's mark (<see cref="Slot.Mark"/>).</summary>
    public uint Mark { get; init; }

    /// <summary>The unconfirmed entry's mark (<see cref="Slot.CtMark"/>).</summary>
    public uint CtMark { get; init; }

    /// <summary>1 + the deciding rule's index (<see cref="Slot.DecidedBy"/>).</summary>
    public int DecidedBy { get; init; }
}
