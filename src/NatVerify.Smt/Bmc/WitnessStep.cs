namespace NatVerify.Smt.Bmc;

/// <summary>One step of a witness: which actor stepped at which point of its life.</summary>
/// <param name="Time">0-based step number.</param>
/// <param name="Actor">Actor index.</param>
/// <param name="ActorName">Actor name.</param>
/// <param name="Kind">conntrack-in, dst-nat, src-nat, confirm or ctnetlink-insert.</param>
public sealed record WitnessStep(int Time, int Actor, string ActorName, string Kind);
