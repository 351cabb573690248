namespace NatVerify.Oracle.Model;

/// <summary>
/// The <c>conntrack -S</c> counters a terminal state determines: <c>insert</c> (ctnetlink inserts: confirm does not
/// count), <c>insert_failed</c> and <c>drop</c> (clashes confirm could not resolve), <c>clash_resolve</c> (merges
/// and NAT_CLASH entries). <c>found</c> is not among them: the kernel counts every taken candidate its random port
/// search happens to visit, and its last TCP attempts use <c>nf_conntrack_find_get</c>, which counts nothing.
/// </summary>
public sealed record CounterExpectation(long Insert, long InsertFailed, long Drop, long ClashResolve)
{
    /// <summary>The counter names compared, as <c>conntrack -S</c> spells them.</summary>
    public static IReadOnlyList<string> Compared { get; } = ["insert", "insert_failed", "drop", "clash_resolve"];

    /// <summary>The expectation by <c>conntrack -S</c> name.</summary>
    public long this[string name] => name switch
    {
        "insert" => Insert,
        "insert_failed" => InsertFailed,
        "drop" => Drop,
        "clash_resolve" => ClashResolve,
        _ => throw new ArgumentException($"counter '{name}' is not compared", nameof(name)),
    };
}
