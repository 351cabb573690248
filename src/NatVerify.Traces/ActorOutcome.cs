namespace NatVerify.Traces;

/// <summary>An actor's outcome in a trace's final state, as spec patterns spell it (e.g. <c>rewritten:1024-65535</c>).</summary>
/// <param name="Actor">The actor's name.</param>
/// <param name="Outcome">The outcome text.</param>
public sealed record ActorOutcome(string Actor, string Outcome);
