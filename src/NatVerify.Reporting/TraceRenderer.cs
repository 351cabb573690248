using System.Text;
using NatVerify.Checker;
using NatVerify.Model.Nat;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Reporting;

/// <summary>
/// Renders a trace as text, one block per step: actor, kernel function, what it read (each probe and its
/// answer), what changed, and the table (<c>conntrack -L</c>) and counters (<c>conntrack -S</c>) where they changed.
/// </summary>
public sealed class TraceRenderer(NatSemantics semantics)
{
    private readonly TupleFormat _format = new(semantics);
    private readonly ConntrackTable _table = new(semantics);

    /// <summary>The whole trace as text lines.</summary>
    public IReadOnlyList<string> Render(Trace<NatState, NatStep> trace)
    {
        var lines = new List<string>();
        var state = trace.Initial;
        var counters = new Counters();
        for (var n = 0; n < trace.Steps.Count; n++)
        {
            var (step, next) = (trace.Steps[n].Action, trace.Steps[n].Next);
            lines.Add($"Step {n + 1}  {Actor(step.Actor)}: {Headline(step)}");
            lines.Add($"  kernel:  {step.KernelFunction}");
            foreach (var probe in step.Probes)
            {
                lines.Add($"  read:    {Probe(probe)}");
            }

            foreach (var c in step.Collected)
            {
                lines.Add($"  read:    expired entry of {Actor(c)} met and garbage-collected (nf_ct_gc_expired)");
            }

            var changes = Diff(state, next);
            foreach (var change in changes)
            {
                lines.Add($"  changed: {change}");
            }

            if (changes.Count == 0)
            {
                lines.Add("  changed: nothing shared");
            }

            var before = _table.List(state);
            var after = _table.List(next);
            if (!before.SequenceEqual(after))
            {
                lines.Add("  conntrack -L:");
                lines.AddRange(after.Count == 0 ? ["    (empty)"] : after.Select(l => "    " + l));
            }

            var moved = counters.After(step);
            if (moved != counters)
            {
                lines.Add($"  conntrack -S: {moved}");
                counters = moved;
            }

            state = next;
        }

        return lines;
    }

    private string Actor(int actor) => actor < 0 ? "gc_worker" : semantics.Scenario.Actors[actor].Name;

    private string Headline(NatStep step) => step switch
    {
        ConntrackIn { JoinedEntry: >= 0 } c => $"first packet at {c.Hook.ChainName()} matches the confirmed entry of {Actor(c.JoinedEntry)}; no new entry",
        ConntrackIn c => $"conntrack entry created at {c.Hook.ChainName()} (unconfirmed, private): {_format.Arrow(semantics.Original(c.Actor))}",
        NatSetup { Decision: NatDecision.TargetDrop } s => $"{s.Hook.ChainName()}: rule `{s.Rule}` has no interface address: NF_DROP",
        NatSetup s => NatHeadline(s),
        Confirm { Result: ConfirmResult.Inserted } => "confirmed: both tuples linked into the table",
        Confirm { Result: ConfirmResult.Dropped } c => $"confirm finds its {(c.ClashOnReply ? "reply" : "original")} tuple already linked by {Actor(c.ClashWith)}: packet DROPPED (insert_failed)",
        Confirm { Result: ConfirmResult.Merged } c => $"confirm clash with {Actor(c.ClashWith)} resolved: packet merged into the identical entry (clash_resolve)",
        Confirm { Result: ConfirmResult.ClashEntry } c => $"confirm clash with {Actor(c.ClashWith)} resolved: reply-only NAT_CLASH entry inserted (clash_resolve)",
        CtnetlinkInsertStep { ClashWith: < 0 } i => $"conntrack -I inserts {_format.Arrow(semantics.Original(i.Actor))} with reply {_format.Arrow(semantics.Initial[i.Actor].Reply)}",
        CtnetlinkInsertStep i => $"conntrack -I refused: a tuple equals a linked tuple of {Actor(i.ClashWith)} (EEXIST)",
        CtnetlinkDeleteStep { Deleted.Count: 0 } => "conntrack -D matches no entry (ENOENT)",
        CtnetlinkDeleteStep d => $"conntrack -D deletes the entries of {string.Join(", ", d.Deleted.Select(Actor))}",
        TimeoutStep { Target: < 0 } => "timeout has no linked entry to expire",
        TimeoutStep t => $"the entry of {Actor(t.Target)} times out (still linked until collected)",
        GcStep g => $"expired entry of {Actor(g.Target)} collected and unlinked",
        _ => step.GetType().Name,
    };

    private string NatHeadline(NatSetup s)
    {
        var manip = s.Manip == ManipType.Src ? "SRC" : "DST";
        var how = s.Decision == NatDecision.NullBinding ? $"no rule matched: {manip} null binding" : $"rule `{s.Rule}` ({manip} {s.Range})";
        string what;
        if (s.Before == s.After)
        {
            what = "tuple kept";
        }
        else if (s.Manip == ManipType.Src && s.Before.SrcIp == s.After.SrcIp)
        {
            what = $"source port {_format.Port(s.Before.SrcPort)} rewritten to {_format.Port(s.After.SrcPort)}";
        }
        else
        {
            what = $"{_format.Arrow(s.Before)} mapped to {_format.Arrow(s.After)}";
        }

        if (s.SearchFailed)
        {
            what += " (search failed: the tuple is known to be taken)";
        }

        return $"{s.Hook.ChainName()} {how}: {what}";
    }

    private string Probe(Probe p)
    {
        var answer = p.TakenBy >= 0 ? $"taken by {Actor(p.TakenBy)}" : (p.Function.StartsWith("__nf_conntrack_find", StringComparison.Ordinal) || p.Function.StartsWith("__nf_conntrack_confirm", StringComparison.Ordinal) || p.Function.StartsWith("nf_ct_", StringComparison.Ordinal) || p.Function.StartsWith("nf_conntrack_hash", StringComparison.Ordinal) ? "no linked match" : "free");
        var note = p.Note is null ? string.Empty : $" [{p.Note}]";
        return $"{p.Function}({_format.Arrow(p.Tuple)}) -> {answer}{note}";
    }

    private List<string> Diff(NatState before, NatState after)
    {
        var changes = new List<string>();
        for (var i = 0; i < before.Count; i++)
        {
            var (a, b) = (before[i], after[i]);
            if (a == b)
            {
                continue;
            }

            var parts = new List<string>();
            if (a.Phase != b.Phase)
            {
                parts.Add($"{PhaseName(a.Phase)} -> {PhaseName(b.Phase)}");
            }

            if (a.Reply != b.Reply)
            {
                parts.Add($"reply tuple {_format.Arrow(a.Reply)} => {_format.Arrow(b.Reply)}");
            }

            var added = b.Status & ~a.Status & KernelBits;
            if (added != 0)
            {
                parts.Add("status +" + string.Join(" +", StatusNames(added)));
            }

            if (parts.Count > 0)
            {
                changes.Add($"{Actor(i)}: {string.Join("; ", parts)}");
            }
        }

        return changes;
    }

    private const CtStatus KernelBits = CtStatus.SrcNat | CtStatus.DstNat | CtStatus.SrcNatDone | CtStatus.DstNatDone
        | CtStatus.NatClash | CtStatus.Expired | CtStatus.Removed;

    private static IEnumerable<string> StatusNames(CtStatus bits)
    {
        (CtStatus Bit, string Name)[] names =
        [
            (CtStatus.SrcNat, "SRC_NAT"), (CtStatus.DstNat, "DST_NAT"), (CtStatus.SrcNatDone, "SRC_NAT_DONE"),
            (CtStatus.DstNatDone, "DST_NAT_DONE"), (CtStatus.NatClash, "NAT_CLASH"), (CtStatus.Expired, "expired"),
            (CtStatus.Removed, "unlinked"),
        ];
        foreach (var (bit, name) in names)
        {
            if ((bits & bit) != 0)
            {
                yield return name;
            }
        }
    }

    private static string PhaseName(Phase phase) => phase switch
    {
        Phase.NotStarted => "not started",
        Phase.Created => "unconfirmed",
        Phase.DstDone => "unconfirmed (DST manip done)",
        Phase.SrcDone => "unconfirmed (SRC manip done)",
        Phase.Confirmed => "confirmed",
        Phase.ClashEntry => "confirmed (NAT_CLASH)",
        Phase.Dropped => "dropped",
        Phase.Merged => "merged",
        Phase.Joined => "joined an existing entry",
        Phase.Inserted => "inserted",
        Phase.Exists => "refused (EEXIST)",
        Phase.Done => "done",
        _ => "nothing to do",
    };
}
