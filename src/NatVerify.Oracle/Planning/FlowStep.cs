namespace NatVerify.Oracle.Planning;

/// <summary>
/// Flows whose first packets one agent sends: one flow, or several released together (threads spinning on one
/// flag) so that their conntrack entries may race between creation and confirmation as the model allows.
/// </summary>
/// <param name="Actors">The flows' names.</param>
/// <param name="Namespace">Where their sockets are opened.</param>
/// <param name="Concurrent">True for a burst.</param>
public sealed record FlowStep(IReadOnlyList<string> Actors, string Namespace, bool Concurrent) : OracleStep
{
    /// <summary>
    /// A flow whose SYN may be retransmitted (<c>retries:</c>) in an interleaved schedule: started, then left pending
    /// while the following actors run, and collected before the observation, so that other actors can act between its
    /// first SYN and its retransmissions as the model's interleavings allow.
    /// </summary>
    public bool Detached { get; init; }
}
