namespace NatVerify.Smt.Runtime;

/// <summary>Counters of the native shim that defers Z3 releases to the thread that owns the context.</summary>
/// <param name="Deferred">Releases queued (from any thread).</param>
/// <param name="Performed">Queued releases performed on the owning thread.</param>
/// <param name="Dropped">Releases dropped because their context was already deleted (or null).</param>
/// <param name="Failed">Queued releases the library refused; nonzero means a reference-count bug.</param>
/// <param name="MaxQueue">The longest queue of one context so far.</param>
/// <param name="ContextsCreated">Contexts created through the shim.</param>
/// <param name="ContextsLive">Contexts not yet deleted.</param>
public sealed record ShimStatistics(
    ulong Deferred, ulong Performed, ulong Dropped, ulong Failed, ulong MaxQueue, ulong ContextsCreated, ulong ContextsLive);
