using NatVerify.Checker;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Traces;

namespace NatVerify.Reporting;

/// <summary>Builds the <see cref="TraceView"/> of a trace by walking its states once.</summary>
public sealed class TraceViewBuilder(NatSemantics semantics)
{
    /// <summary>The label of the table's lane.</summary>
    public const string TableLane = "conntrack table";

    private const CtStatus KernelBits = CtStatus.SrcNat | CtStatus.DstNat | CtStatus.SrcNatDone | CtStatus.DstNatDone
        | CtStatus.NatClash | CtStatus.Expired | CtStatus.Removed;

    private readonly TupleFormat _format = new(semantics);
    private readonly ConntrackTable _table = new(semantics);
    private readonly ChoiceDescriber _names = new(semantics);

    /// <summary>The view of a trace; <paramref name="file"/>, when given, supplies the header (spec, property, message).</summary>
    public TraceView Build(Trace<NatState, NatStep> trace, TraceFile? file = null)
    {
        var lanes = Lanes(trace);
        var laneIndex = lanes.Select((l, i) => (l.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var steps = new List<StepView>();
        var state = trace.Initial;
        var counters = new Counters();
        for (var n = 0; n < trace.Steps.Count; n++)
        {
            var (step, next) = (trace.Steps[n].Action, trace.Steps[n].Next);
            var actor = step is GcStep ? -1 : step.Actor;
            var name = _names.ActorName(actor);
            var reads = step.Probes.Select(Read).ToList();
            reads.AddRange(step.Collected.Select(c => new ReadView("nf_ct_gc_expired", _format.Arrow(semantics.Original(c)), $"expired entry of {_names.ActorName(c)} met and garbage-collected", false, null)));
            var before = _table.List(state);
            var after = _table.List(next);
            var moved = counters.After(step);
            var clash = step switch
            {
                Confirm { Result: not ConfirmResult.Inserted } => true,
                CtnetlinkInsertStep { ClashWith: >= 0 } => true,
                NatSetup or ConntrackIn => step.Probes.Any(p => p.TakenBy >= 0),
                _ => false,
            };
            var rewrite = step is NatSetup s && s.Before != s.After;
            steps.Add(new StepView(
                n + 1,
                laneIndex[name],
                name,
                lanes[laneIndex[name]].Role,
                StepKinds.Of(step),
                Headline(step),
                step.KernelFunction,
                reads,
                Diff(state, next),
                before.SequenceEqual(after) ? null : after,
                moved.MovedSince(counters),
                moved,
                clash,
                rewrite,
                step.Probes.Count > 0 || step.Collected.Count > 0 || !before.SequenceEqual(after))
            {
                Rules = RulesOf(step),
            });
            counters = moved;
            state = next;
        }

        var facts = new List<KeyValuePair<string, string>>();
        string title;
        if (file is not null)
        {
            title = file.Kind == TraceKind.Violation
                ? $"Counterexample: {file.Property} violated in {file.Spec.Name}"
                : $"Witness of {{{string.Join(", ", file.Outcomes.Select(o => $"{o.Actor}: {o.Outcome}"))}}} in {file.Spec.Name}";
            facts.Add(new("spec", $"{file.Spec.Name} ({file.Spec.Source}, sha256 {file.Spec.Sha256[..12]})"));
            facts.Add(new("kernel profile", file.Profile));
            facts.Add(new("mutant", file.Mutant));
            if (file.Property is { } p)
            {
                facts.Add(new("violated property", p));
                facts.Add(new("in the final state", file.Message ?? string.Empty));
            }

            facts.Add(new("steps", trace.Steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (file.Minimization is { } m)
            {
                facts.Add(new("minimised", $"from {m.FromSteps} steps; removed actors [{string.Join(", ", m.RemovedActors)}], rules [{string.Join("; ", m.RemovedRules)}], constraints [{string.Join("; ", m.RemovedConstraints)}] ({m.Checks} engine checks)"));
            }
        }
        else
        {
            title = $"Trace of {semantics.Scenario.Name}";
            facts.Add(new("kernel profile", semantics.Profile.Name));
            facts.Add(new("steps", trace.Steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new TraceView(title, facts, lanes, steps, _table.List(state), counters, TableFacts.Outcomes(semantics, state), file?.Spec.Text);
    }

    /// <summary>The rules a step names: the one whose verdict decided at the hook, and a drop after the NAT core.</summary>
    public static IReadOnlyList<RuleView> RulesOf(NatStep step) =>
        [.. TraceRecorder.DecidingRules(step).Select(x => new RuleView(x.Role, x.Rule.Name, x.Rule.Text, x.Rule.Location?.ToString())
        {
            Verdict = x.Verdict,
            Chain = x.Decision is { } d ? $"{d.HookName} {d.Chain}" : null,
            Path = x.Decision is { } p ? [.. p.Path.Select(r => r.Name)] : [],
        })];

    private List<LaneView> Lanes(Trace<NatState, NatStep> trace)
    {
        var stepping = trace.Steps.Select(s => s.Action is GcStep ? -1 : s.Action.Actor).ToHashSet();
        var lanes = new List<LaneView>();
        for (var i = 0; i < semantics.Scenario.Actors.Count; i++)
        {
            if (stepping.Contains(i))
            {
                lanes.Add(new LaneView(semantics.Scenario.Actors[i].Name, Role(semantics.Scenario.Actors[i])));
            }
        }

        if (stepping.Contains(-1))
        {
            lanes.Add(new LaneView(ChoiceDescriber.GcWorker, "gc worker"));
        }

        lanes.Add(new LaneView(TableLane, "table"));
        return lanes;
    }

    private static string Role(Actor actor) => actor switch
    {
        FlowActor => "flow / CPU",
        CtnetlinkInsert or CtnetlinkDelete => "ctnetlink",
        _ => "timer",
    };

    private string Headline(NatStep step) => step switch
    {
        ConntrackIn { JoinedEntry: >= 0 } c => $"first packet at {c.Hook.ChainName()} matches the confirmed entry of {_names.ActorName(c.JoinedEntry)}; no new entry",
        ConntrackIn c => $"conntrack entry created at {c.Hook.ChainName()} (unconfirmed, private): {_format.Arrow(semantics.Original(c.Actor))}",
        NatSetup { Decision: NatDecision.TargetDrop } s => $"{s.Hook.ChainName()}: rule `{s.Rule}` has no interface address: NF_DROP",
        NatSetup s => NatHeadline(s),
        Confirm { Result: ConfirmResult.Inserted } => "confirmed: both tuples linked into the table",
        Confirm { Result: ConfirmResult.Dropped } c => $"confirm finds its {(c.ClashOnReply ? "reply" : "original")} tuple already linked by {_names.ActorName(c.ClashWith)}: packet DROPPED (insert_failed)",
        Confirm { Result: ConfirmResult.Merged } c => $"confirm clash with {_names.ActorName(c.ClashWith)} resolved: packet merged into the identical entry (clash_resolve)",
        Confirm { Result: ConfirmResult.ClashEntry } c => $"confirm clash with {_names.ActorName(c.ClashWith)} resolved: reply-only NAT_CLASH entry inserted (clash_resolve)",
        CtnetlinkInsertStep { ClashWith: < 0 } i => $"conntrack -I inserts {_format.Arrow(semantics.Original(i.Actor))} with reply {_format.Arrow(semantics.Initial[i.Actor].Reply)}",
        CtnetlinkInsertStep i => $"conntrack -I refused: a tuple equals a linked tuple of {_names.ActorName(i.ClashWith)} (EEXIST)",
        CtnetlinkDeleteStep { Deleted.Count: 0 } => "conntrack -D matches no entry (ENOENT)",
        CtnetlinkDeleteStep d => $"conntrack -D deletes the entries of {string.Join(", ", d.Deleted.Select(_names.ActorName))}",
        TimeoutStep { Target: < 0 } => "timeout has no linked entry to expire",
        TimeoutStep t => $"the entry of {_names.ActorName(t.Target)} times out (still linked until collected)",
        GcStep g => $"expired entry of {_names.ActorName(g.Target)} collected and unlinked",
        _ => step.GetType().Name,
    };

    private string NatHeadline(NatSetup s)
    {
        var manip = s.Manip == ManipType.Src ? "SRC" : "DST";
        var how = s.Decision != NatDecision.NullBinding ? $"rule `{s.Rule}` ({manip} {s.Range})"
            : s.Chains.LastOrDefault(c => c.End == ChainEnd.Accept && c.Hook == ToNetfilter(s.Hook)) is { } accept
                ? $"rule `{accept.Decider.Text}` ACCEPTs: {manip} null binding"
                : $"no rule matched: {manip} null binding";
        if (s.Probes.FirstOrDefault(p => p.TakenBy >= 0) is { } taken)
        {
            how += $" finds the tuple it would use taken by {_names.ActorName(taken.TakenBy)}";
        }
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

    private static NetfilterHook ToNetfilter(NatHook hook) => hook switch
    {
        NatHook.PreRouting => NetfilterHook.PreRouting,
        NatHook.Input => NetfilterHook.Input,
        NatHook.Output => NetfilterHook.Output,
        _ => NetfilterHook.PostRouting,
    };

    private ReadView Read(Probe p)
    {
        var lookup = p.Function.StartsWith("__nf_conntrack_find", StringComparison.Ordinal)
            || p.Function.StartsWith("__nf_conntrack_confirm", StringComparison.Ordinal)
            || p.Function.StartsWith("nf_ct_", StringComparison.Ordinal)
            || p.Function.StartsWith("nf_conntrack_hash", StringComparison.Ordinal);
        var answer = p.TakenBy >= 0 ? $"taken by {_names.ActorName(p.TakenBy)}" : lookup ? "no linked match" : "free";
        return new ReadView(p.Function, _format.Arrow(p.Tuple), answer, p.TakenBy >= 0, p.Note);
    }

    private List<ChangeView> Diff(NatState before, NatState after)
    {
        var changes = new List<ChangeView>();
        var beforeEntries = TableFacts.Entries(semantics, before).ToDictionary(e => e.Owner);
        var afterEntries = TableFacts.Entries(semantics, after).ToDictionary(e => e.Owner);
        for (var i = 0; i < before.Count; i++)
        {
            var (a, b) = (before[i], after[i]);
            if (a == b)
            {
                continue;
            }

            var name = _names.ActorName(i);
            var was = beforeEntries.GetValueOrDefault(i);
            var now = afterEntries.GetValueOrDefault(i);
            if (was is null && now is not null)
            {
                changes.Add(new ChangeView(ChangeKind.Added, name, _table.Line(now)));
            }
            else if (was is not null && now is null)
            {
                changes.Add(new ChangeView(ChangeKind.Removed, name, _table.Line(was) + (b.Has(CtStatus.Removed) ? "   (unlinked)" : string.Empty)));
            }
            else if (was is not null && now is not null && _table.Line(was) != _table.Line(now))
            {
                changes.Add(new ChangeView(ChangeKind.Altered, name, _table.Line(now)));
            }
            else
            {
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
                    changes.Add(new ChangeView(ChangeKind.Private, name, $"{name}: {string.Join("; ", parts)}"));
                }
            }
        }

        return changes;
    }

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
        Phase.Untracked => "untracked (no entry)",
        Phase.Filtered => "dropped by a rule before confirm (entry freed)",
        _ => "nothing to do",
    };
}
