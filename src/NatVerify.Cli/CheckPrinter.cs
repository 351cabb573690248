using System.Globalization;
using NatVerify.Model;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Reporting;
using NatVerify.Traces;
using NatVerify.Verification;
using Spectre.Console;

namespace NatVerify.Cli;

/// <summary>Prints a check result: verdict, per-flow outcomes, joint outcomes, expectations, statistics, counterexample.</summary>
internal sealed class CheckPrinter(TextWriter stdout)
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(stdout),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });

    public void Print(VerificationResult r, bool witnesses, RunLimits limits)
    {
        var spec = r.Spec;
        stdout.WriteLine($"natverify check {spec.File}");
        stdout.WriteLine($"  scenario: {spec.Name}   profile: {r.Profile.Name}   mutant: {r.Mutant.CliName()}");
        stdout.WriteLine();
        stdout.WriteLine(VerdictLine(r, limits));
        if (r.Violation is { } v)
        {
            stdout.WriteLine($"  {v.Invariant.Id}: {v.Message}");
            if (r.ViolatedProperties.Count > 1)
            {
                stdout.WriteLine($"  (violated in some reachable state: {string.Join(", ", r.ViolatedProperties)})");
            }
        }

        stdout.WriteLine();
        PrintFlowOutcomes(r);
        PrintJointOutcomes(r);
        PrintExpectations(r);
        PrintStatistics(r);
        stdout.WriteLine(limits.Line());

        var renderer = new TraceRenderer(r.Semantics);
        var table = new ConntrackTable(r.Semantics);
        if (r.Violation is { } violation)
        {
            stdout.WriteLine();
            stdout.WriteLine($"Shortest counterexample ({violation.Trace.Length} steps) for {violation.Invariant.Id}:");
            foreach (var line in renderer.Render(violation.Trace))
            {
                stdout.WriteLine("  " + line);
            }

            stdout.WriteLine("  Final conntrack -L:");
            foreach (var line in table.List(violation.Trace.Final).DefaultIfEmpty("(empty)"))
            {
                stdout.WriteLine("    " + line);
            }
        }

        if (witnesses)
        {
            foreach (var joint in r.Outcomes.Joint)
            {
                stdout.WriteLine();
                stdout.WriteLine($"Shortest witness ({joint.Witness.Length} steps) for {{{Joint(r, joint.Outcomes)}}}:");
                foreach (var line in renderer.Render(joint.Witness))
                {
                    stdout.WriteLine("  " + line);
                }
            }
        }
    }

    /// <summary>Prints a minimised counterexample: what was removed, then its steps.</summary>
    public void PrintMinimized(TraceFile minimized, ReplayResult replay)
    {
        var m = minimized.Minimization!;
        stdout.WriteLine();
        stdout.WriteLine($"Minimised counterexample ({minimized.Steps.Count} steps, from {m.FromSteps}; {m.Checks} engine checks) for {minimized.Property}:");
        stdout.WriteLine($"  removed actors: {List(m.RemovedActors)}");
        stdout.WriteLine($"  removed rules: {List(m.RemovedRules)}");
        stdout.WriteLine($"  removed constraints: {List(m.RemovedConstraints)}");
        stdout.WriteLine($"  {minimized.Property}: {minimized.Message}");
        var view = new TraceViewBuilder(replay.Semantics).Build(replay.Trace, minimized);
        foreach (var line in TraceRenderer.RenderSteps(view))
        {
            stdout.WriteLine("  " + line);
        }

        static string List(IReadOnlyList<string> items) => items.Count == 0 ? "(none)" : string.Join("; ", items);
    }

    private static string VerdictLine(VerificationResult r, RunLimits limits) => r.Verdict switch
    {
        Verdict.Holds when r.Stats.ReducedExpansions > 0 || r.SymmetryReduced =>
            $"Verdict: HOLDS. Every checked property holds in all {r.Stats.StatesStored:N0} states of the {ReducedName(r)} state space (exhaustive; the reduction preserves invariant violations and outcomes, docs/performance.md).",
        Verdict.Holds => $"Verdict: HOLDS. Every checked property holds in all {r.Stats.StatesStored:N0} reachable states (exhaustive).",
        Verdict.Violated => $"Verdict: VIOLATED. {r.Violation!.Invariant.Id} fails in a reachable state.",
        _ when r.Inconclusive!.Bound == Checker.BoundKind.NodeLost =>
            $"Verdict: INCONCLUSIVE. A cluster node was lost after {r.Stats.StatesStored:N0} states, and with it the states it held; nothing is proved. ({r.Inconclusive.Detail})",
        _ => $"Verdict: INCONCLUSIVE. The {Bound(r, limits)} bound ended the search after {r.Stats.StatesStored:N0} states; no violation was found, nothing is proved. ({r.Inconclusive!.Detail})",
    };

    private static string ReducedName(VerificationResult r)
    {
        var groups = r.SymmetryClasses.Select(c => string.Join(", ", c.Select(a => r.Outcomes.Actors[a])))
            .Concat(r.SymmetryRaces.Select(t => string.Join(", ", t.Select(race => string.Join("+", race.Select(a => r.Outcomes.Actors[a]))))))
            .ToList();
        var symmetric = groups.Count == 0
            ? null
            : "symmetry-reduced (interchangeable actors: " + string.Join("; ", groups) + ")";
        return r.Stats.ReducedExpansions > 0 ? symmetric is null ? "partial-order-reduced" : "partial-order- and " + symmetric : symmetric!;
    }

    private static string Bound(VerificationResult r, RunLimits limits) => r.Inconclusive!.Bound switch
    {
        Checker.BoundKind.MaxStates => "--max-states",
        Checker.BoundKind.MaxDepth => "--max-depth",
        Checker.BoundKind.MaxMemory => limits.MemoryName,
        Checker.BoundKind.Timeout => "--timeout",
        _ => "cancellation",
    };

    private void PrintFlowOutcomes(VerificationResult r)
    {
        var total = r.Outcomes.Joint.Sum(j => j.TerminalStates);
        // Outcomes added by renaming have no terminal state of the searched graph: per actor, count joint outcomes instead.
        var renamed = r.Outcomes.Joint.Count(j => j.RenamedFrom >= 0);
        var unit = renamed > 0 ? " joint outcomes" : string.Empty;
        stdout.WriteLine($"Outcomes over {total:N0} terminal states{(r.Stats.ReducedExpansions > 0 || r.SymmetryReduced ? " of the reduced state space (the set of outcomes is exact; counts are of the reduced graph)" : string.Empty)}{(renamed > 0 ? $", and {renamed:N0} joint outcome(s) that symmetry implies (renamings of reached ones)" : string.Empty)}{(r.Exhaustive ? string.Empty : " (partial: the search was bounded)")}:");
        var whole = renamed > 0 ? r.Outcomes.Joint.Count : total;
        for (var i = 0; i < r.Outcomes.Actors.Count; i++)
        {
            var counts = new Dictionary<string, long>();
            foreach (var joint in r.Outcomes.Joint)
            {
                var key = Describe(joint.Outcomes[i]);
                counts[key] = counts.GetValueOrDefault(key) + (renamed > 0 ? 1 : joint.TerminalStates);
            }

            var parts = counts.Select(kv => $"{kv.Key} on {(kv.Value == whole ? "every path" : $"some paths ({kv.Value:N0} of {whole:N0}{unit})")}").ToList();
            if (r.Spec.Model.Actors[i] is FlowActor && !counts.Keys.Any(k => k.StartsWith("dropped", StringComparison.Ordinal)))
            {
                parts.Add("dropped on none");
            }

            stdout.WriteLine($"  {r.Outcomes.Actors[i]}: {string.Join("; ", parts)}");
        }

        stdout.WriteLine();
    }

    private void PrintJointOutcomes(VerificationResult r)
    {
        var table = new Table().Border(TableBorder.Simple).Title("Joint outcomes");
        table.AddColumn("#");
        foreach (var actor in r.Outcomes.Actors)
        {
            table.AddColumn(actor);
        }

        table.AddColumn(new TableColumn("terminal states").RightAligned());
        table.AddColumn(new TableColumn("shortest witness").RightAligned());
        var n = 0;
        foreach (var joint in r.Outcomes.Joint)
        {
            var row = new List<string> { (++n).ToString(CultureInfo.InvariantCulture) };
            row.AddRange(joint.Outcomes.Select(o => Markup.Escape(o.ToString())));
            row.Add(joint.RenamedFrom >= 0
                ? $"renames #{joint.RenamedFrom + 1}"
                : joint.TerminalStates.ToString("N0", CultureInfo.InvariantCulture));
            row.Add($"{joint.Witness.Length} steps");
            table.AddRow(row.ToArray());
        }

        _console.Write(table);
        PrintOutcomeRules(r);
    }

    /// <summary>The rules and policies the outcomes name (filtered, untracked), with where they are and their text.</summary>
    private void PrintOutcomeRules(VerificationResult r)
    {
        var named = r.Outcomes.Joint.SelectMany(j => j.Outcomes).Select(o => OutcomeRule(r.Semantics, o)).OfType<Model.Nat.RuleRef>().Distinct().ToList();
        if (named.Count == 0)
        {
            return;
        }

        stdout.WriteLine("Rules named by the outcomes:");
        foreach (var rule in named)
        {
            stdout.WriteLine($"  {rule.Name}  at {rule.Location?.ToString() ?? "(no location)"}: {rule.Text}");
        }

        stdout.WriteLine();
    }

    /// <summary>The rule or policy an outcome names as its decider (a filtered or untracked flow), or null.</summary>
    internal static Model.Nat.RuleRef? OutcomeRule(NatSemantics semantics, Outcome o) =>
        o.Kind is OutcomeKind.Filtered or OutcomeKind.Untracked && o.Detail is { } name ? semantics.DeciderNamed(name) : null;

    private void PrintExpectations(VerificationResult r)
    {
        var e = r.Spec.Expect;
        var given = e.Verdict is not null || e.Outcomes.Count > 0 || e.Combinations is not null || e.Mutants.Count > 0;
        if (!given)
        {
            return;
        }

        if (!r.Exhaustive && r.ExpectationFailures.Count == 0)
        {
            stdout.WriteLine("Expectations of the spec: not judged, the search was bounded.");
        }
        else if (r.ExpectationFailures.Count == 0)
        {
            stdout.WriteLine(r.Mutant == Model.KernelMutant.None
                ? "Expectations of the spec: all met."
                : e.Mutants.ContainsKey(r.Mutant.CliName())
                    ? $"Expectations of the spec: mutant {r.Mutant.CliName()} is killed as expected."
                    : "Expectations of the spec: none apply to this mutant.");
        }
        else
        {
            stdout.WriteLine("Expectations of the spec NOT met:");
            foreach (var f in r.ExpectationFailures)
            {
                stdout.WriteLine($"  - {f}");
            }

            if (!r.Exhaustive)
            {
                stdout.WriteLine("  (outcome expectations are only compared after an exhaustive search)");
            }
        }

        stdout.WriteLine();
    }

    private static string SleepSets(NatVerify.Checker.ExplorationStats s) => s.SleepSets switch
    {
        null => string.Empty,
        "on" => string.Create(CultureInfo.InvariantCulture, $", sleep sets: {s.SleepSetPrunedSteps:N0} steps not taken, {s.SleepSetReexpansions:N0} states expanded again"),
        var off => ", sleep sets " + off,
    };

    private void PrintStatistics(VerificationResult r)
    {
        var s = r.Stats;
        stdout.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Statistics: {s.StatesStored:N0} states, {s.Transitions:N0} transitions, max depth {s.MaxDepthReached}, {s.TerminalStates:N0} terminal states, {s.Elapsed.TotalMilliseconds:N0} ms, {s.StatesPerSecond:N0} states/s{(s.ReducedExpansions > 0 ? $", {s.ReducedExpansions:N0} expansions reduced by partial-order reduction" : string.Empty)}{SleepSets(s)}"));
        stdout.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"            fingerprints: 64-bit{(s.RunFingerprints ? " (of the run's slot numbers)" : string.Empty)}, {s.FingerprintSetBytes / 1024.0:N0} KiB; birthday bound on a fingerprint collision: {s.CollisionProbability:E1}"));
    }

    private static string Describe(Outcome o) => o.Kind switch
    {
        OutcomeKind.Rewritten when o.Detail is "dst-port" => "destination port rewritten",
        OutcomeKind.Rewritten when o.Detail is "icmp-id" => "ICMP id rewritten",
        OutcomeKind.Rewritten => $"source port rewritten ({o.Detail})",
        OutcomeKind.Kept => "tuple kept",
        OutcomeKind.Nat when o.Detail is "sport-rewritten" => "mapped by a NAT rule, source port then rewritten by the null binding",
        OutcomeKind.Nat => "mapped by a NAT rule",
        OutcomeKind.Dropped => "dropped (insert_failed)",
        OutcomeKind.Merged => "merged into an identical entry",
        OutcomeKind.ClashEntry => "inserted as a reply-only NAT_CLASH entry",
        OutcomeKind.Joined => "joined an existing entry",
        _ => o.ToString(),
    };

    private static string Joint(VerificationResult r, IReadOnlyList<Outcome> outcomes) =>
        string.Join(", ", r.Outcomes.Actors.Select((a, i) => $"{a}: {outcomes[i]}"));
}
