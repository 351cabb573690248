namespace NatVerify.Checker;

/// <summary>The resource bound that made an exploration <see cref="Inconclusive{TState, TAction}"/>.</summary>
public enum BoundKind
{
    /// <summary>The limit on distinct stored states was reached while unseen states remained.</summary>
    MaxStates,

    /// <summary>Some state at the depth limit had successors that were never explored.</summary>
    MaxDepth,

    /// <summary>The managed heap grew past the limit, or an allocation failed.</summary>
    MaxMemory,

    /// <summary>The time limit elapsed.</summary>
    Timeout,

    /// <summary>The caller's cancellation token was signalled.</summary>
    Cancelled,

    /// <summary>
    /// A machine of a distributed search (a cluster silo, docs/distributed.md) was lost or failed, and with it the
    /// states it held: nothing is proved, whatever the other machines found.
    /// </summary>
    NodeLost,
}
