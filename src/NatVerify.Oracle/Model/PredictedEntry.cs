using NatVerify.Model.Tuples;

namespace NatVerify.Oracle.Model;

/// <summary>An entry the model's table holds at the end and <c>conntrack -L</c> would list (NAT_CLASH entries are hidden from dumps).</summary>
/// <param name="Owner">The actor that created it.</param>
/// <param name="Original">Its original tuple.</param>
/// <param name="Reply">Its reply tuple (ports may be fresh).</param>
public sealed record PredictedEntry(string Owner, ConntrackTuple Original, ConntrackTuple Reply);
