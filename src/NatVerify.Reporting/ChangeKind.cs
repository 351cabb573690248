namespace NatVerify.Reporting;

/// <summary>What a step did to one actor's entry.</summary>
public enum ChangeKind
{
    /// <summary>An entry was linked into the confirmed table.</summary>
    Added,

    /// <summary>A linked entry changed (status bits, expiry).</summary>
    Altered,

    /// <summary>An entry was unlinked from the confirmed table.</summary>
    Removed,

    /// <summary>A change outside the confirmed table: a private (unconfirmed) entry, or an actor's phase.</summary>
    Private,
}
