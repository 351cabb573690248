namespace NatVerify.Model.Scenario;

/// <summary>Points in an actor's life that ordering constraints refer to.</summary>
public enum Milestone
{
    /// <summary>The actor's first step (a flow's conntrack creation; an event's only step).</summary>
    Start = 1,

    /// <summary>A flow's DST manip (LOCAL_OUT / PRE_ROUTING NAT).</summary>
    DstNat = 2,

    /// <summary>A flow's SRC manip (POST_ROUTING / LOCAL_IN NAT), where the null binding probes.</summary>
    SrcNat = 3,

    /// <summary>A flow's confirmation (<c>__nf_conntrack_confirm</c>).</summary>
    Confirm = 4,
}

/// <summary>
/// "<see cref="Before"/>'s <see cref="BeforeAt"/> step happens before <see cref="After"/>'s <see cref="AfterAt"/> step":
/// the latter is not enabled until the former ran, or until <see cref="Before"/> finished without reaching it.
/// </summary>
public sealed record OrderConstraint(string Before, Milestone BeforeAt, string After, Milestone AfterAt, string Text);
