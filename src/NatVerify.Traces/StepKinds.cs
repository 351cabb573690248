using NatVerify.Model.Steps;

namespace NatVerify.Traces;

/// <summary>The step kinds a trace file names (one per <see cref="NatStep"/> subtype).</summary>
public static class StepKinds
{
    /// <summary><see cref="ConntrackIn"/>.</summary>
    public const string ConntrackIn = "conntrack-in";

    /// <summary><see cref="NatSetup"/>.</summary>
    public const string NatSetup = "nat-setup";

    /// <summary><see cref="Confirm"/>.</summary>
    public const string Confirm = "confirm";

    /// <summary><see cref="CtnetlinkInsertStep"/>.</summary>
    public const string CtnetlinkInsert = "ctnetlink-insert";

    /// <summary><see cref="CtnetlinkDeleteStep"/>.</summary>
    public const string CtnetlinkDelete = "ctnetlink-delete";

    /// <summary><see cref="TimeoutStep"/>.</summary>
    public const string Timeout = "timeout";

    /// <summary><see cref="GcStep"/>.</summary>
    public const string Gc = "gc";

    /// <summary>The kind of a step.</summary>
    public static string Of(NatStep step) => step switch
    {
        Model.Steps.ConntrackIn => ConntrackIn,
        Model.Steps.NatSetup => NatSetup,
        Model.Steps.Confirm => Confirm,
        CtnetlinkInsertStep => CtnetlinkInsert,
        CtnetlinkDeleteStep => CtnetlinkDelete,
        TimeoutStep => Timeout,
        GcStep => Gc,
        _ => throw new ArgumentException($"unknown step type {step.GetType().Name}", nameof(step)),
    };
}
