using NatVerify.Model.Steps;

namespace NatVerify.Traces;

/// <summary>The per-CPU <c>conntrack -S</c> counters the model moves, summed over CPUs.</summary>
/// <param name="Found"><c>found</c>: positive <c>nf_conntrack_tuple_taken</c> probes (a lower bound, see <see cref="After"/>).</param>
/// <param name="Insert"><c>insert</c>: ctnetlink inserts that linked an entry.</param>
/// <param name="InsertFailed"><c>insert_failed</c>: confirms that dropped the packet on a clash.</param>
/// <param name="Drop"><c>drop</c>: packets dropped by conntrack (here: the same drops).</param>
/// <param name="ClashResolve"><c>clash_resolve</c>: clashes resolved by merging or a NAT_CLASH entry.</param>
public sealed record Counters(long Found = 0, long Insert = 0, long InsertFailed = 0, long Drop = 0, long ClashResolve = 0)
{
    /// <summary>The counters after one more step.</summary>
    public Counters After(NatStep step)
    {
        // `found` counts the positive nf_conntrack_tuple_taken probes the step recorded (a search's rejected
        // candidates are not recorded one by one, so this is a lower bound of the kernel's counter).
        var found = step is NatSetup ? step.Probes.Count(p => p.TakenBy >= 0 && p.Function is "nf_conntrack_tuple_taken" or "nf_nat_l4proto_unique_tuple") : 0;
        var c = this with { Found = Found + found };
        return step switch
        {
            Confirm { Result: ConfirmResult.Dropped } => c with { InsertFailed = c.InsertFailed + 1, Drop = c.Drop + 1 },
            Confirm { Result: ConfirmResult.Merged or ConfirmResult.ClashEntry } => c with { ClashResolve = c.ClashResolve + 1 },
            CtnetlinkInsertStep { ClashWith: < 0 } => c with { Insert = c.Insert + 1 },
            _ => c,
        };
    }

    /// <summary>The counters a sequence of steps moves, from zero.</summary>
    public static Counters Count(IEnumerable<NatStep> steps)
    {
        var c = new Counters();
        foreach (var step in steps)
        {
            c = c.After(step);
        }

        return c;
    }

    /// <summary>The counters by their <c>conntrack -S</c> names, in that tool's order.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Named() =>
    [
        new("found", Found), new("insert", Insert), new("insert_failed", InsertFailed), new("drop", Drop), new("clash_resolve", ClashResolve),
    ];

    /// <summary>The counters that differ from <paramref name="before"/>, as <c>name +n</c>.</summary>
    public IReadOnlyList<string> MovedSince(Counters before) =>
        Named().Zip(before.Named())
            .Where(p => p.First.Value != p.Second.Value)
            .Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.First.Key} {p.First.Value - p.Second.Value:+#;-#;0}"))
            .ToList();

    /// <inheritdoc />
    public override string ToString() => string.Join(' ', Named().Select(kv => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));
}
