namespace NatVerify.Traces;

/// <summary>One entry of the confirmed table in a trace's final state, as <c>conntrack -L</c> would list it.</summary>
/// <param name="Owner">The actor that owns the entry.</param>
/// <param name="Original">The original tuple (<c>src=... dst=... sport=... dport=...</c>).</param>
/// <param name="Reply">The reply tuple.</param>
/// <param name="Flags">Status flags worth showing (<c>SRC_NAT</c>, <c>DST_NAT</c>, <c>NAT_CLASH</c>, <c>expired</c>).</param>
public sealed record FinalEntry(string Owner, string Original, string Reply, IReadOnlyList<string> Flags);
