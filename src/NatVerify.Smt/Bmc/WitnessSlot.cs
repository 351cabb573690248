using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Smt.Bmc;

/// <summary>One actor's slot in a witness state, decoded from the model (the encoded part of <see cref="Slot"/>).</summary>
public sealed record WitnessSlot(
    Phase Phase, ConntrackTuple Reply, ConntrackTuple PreSrc, int Partner, CtStatus Status, int BySource, ulong LinkedAtSrcProbe, int Attempt = 0);
