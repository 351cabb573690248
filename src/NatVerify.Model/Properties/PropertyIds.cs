namespace NatVerify.Model.Properties;

/// <summary>Stable ids of the properties in docs/properties.md.</summary>
public static class PropertyIds
{
    /// <summary>No two linked tuple nodes of the confirmed table are equal.</summary>
    public const string LinkedTupleUniqueness = "linked-tuple-uniqueness";

    /// <summary>A null binding whose tuple was free at probe time changes nothing.</summary>
    public const string NullBindingIdentityWhenFree = "null-binding-identity-when-free";

    /// <summary>A SRC null binding changes only the source port (ICMP id) within its class; a DST one never a port.</summary>
    public const string NullBindingScope = "null-binding-scope";

    /// <summary>Every drop is an <c>insert_failed</c> explained by a clash at confirm.</summary>
    public const string DropExplained = "drop-explained";

    /// <summary>No flow without a fixed-port mapping is dropped because of an entry confirmed before its SRC NAT probe.</summary>
    public const string NoAvoidableDrop = "no-avoidable-drop";

    /// <summary>A reply packet's tuple finds its own entry.</summary>
    public const string ReplyRouting = "reply-routing";

    /// <summary>All ids, in catalogue order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [LinkedTupleUniqueness, NullBindingIdentityWhenFree, NullBindingScope, DropExplained, NoAvoidableDrop, ReplyRouting];
}
