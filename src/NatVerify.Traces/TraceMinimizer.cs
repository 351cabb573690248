using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Traces;

/// <summary>
/// Minimises a counterexample by delta debugging (<see cref="DeltaDebugger"/>), re-checking every candidate with the
/// engine: first the spec (actors with what names them, ruleset lines, order constraints and the sequential
/// schedule) while the same property stays violated under the same profile and mutant, then the trace's steps on
/// the minimal spec. The result is the shorter of that 1-minimal step sequence and the minimal spec's BFS-shortest
/// counterexample.
/// </summary>
public static class TraceMinimizer
{
    /// <summary>Engine bound for one candidate: removing constraints can only grow a state space, so cap it.</summary>
    public const long CandidateMaxStates = 2_000_000;

    /// <summary>The pseudo-constraint that stands for <c>schedule: sequential</c>.</summary>
    public const string SequentialSchedule = "schedule: sequential";

    /// <summary>Minimises a violation trace.</summary>
    /// <param name="file">The trace.</param>
    /// <param name="fileName">Its display path.</param>
    /// <param name="cancellationToken">Stops the engine runs.</param>
    /// <exception cref="MinimizationException">The trace is a witness, or does not reproduce its violation.</exception>
    /// <exception cref="TraceFormatException">The trace file is invalid.</exception>
    /// <exception cref="SpecException">The embedded spec is invalid.</exception>
    public static MinimizationResult Minimize(TraceFile file, string fileName, CancellationToken cancellationToken = default)
    {
        if (file.Kind != TraceKind.Violation || file.Property is null)
        {
            throw new MinimizationException("only counterexamples (violation traces) can be minimised; this is a witness");
        }

        var replay = TraceReplayer.Replay(file, fileName);
        if (!replay.Reproduced)
        {
            throw new MinimizationException("the trace does not reproduce its violation: " + (replay.Divergence?.Detail ?? "the final state satisfies " + file.Property));
        }

        var property = file.Property;
        var profile = replay.Semantics.Profile;
        var mutant = replay.Semantics.Mutant;
        var checks = 0;
        var results = new Dictionary<string, VerificationResult>(StringComparer.Ordinal);

        // The spec candidate for a draft, checked for the one property; a candidate that is not a valid spec passes.
        VerificationResult? Check(SpecDraft draft)
        {
            var text = SpecWriter.Write(Finish(draft, property, mutant, file.Spec.Source, [], [], []));
            if (results.TryGetValue(text, out var cached))
            {
                return cached;
            }

            checks++;
            ScenarioSpec spec;
            try
            {
                spec = SpecLoader.Parse(text, "candidate");
            }
            catch (SpecException)
            {
                return null;
            }

            VerificationResult result;
            try
            {
                result = Verifier.Check(spec, new CheckSettings
                {
                    Profile = profile,
                    Mutant = mutant,
                    Properties = [property],
                    Options = new CheckerOptions { StopAtFirstViolation = true, MaxStates = CandidateMaxStates },
                }, cancellationToken: cancellationToken);
            }
            catch (ArgumentException)
            {
                return null;
            }

            results[text] = result;
            return result;
        }

        bool Fails(SpecDraft draft) => Check(draft)?.Verdict == Verdict.Violated;

        var original = SpecDraft.From(replay.Spec);
        var draft = original;
        var removedActors = new List<string>();
        var removedRules = new List<string>();
        var removedConstraints = new List<string>();

        // Actors first: each one removed also removes its steps, timeouts and constraints.
        var actorNames = draft.Actors.Select(a => a.Name).ToList();
        var keptActors = DeltaDebugger.Minimize(actorNames, kept => Fails(draft.WithoutActors(actorNames.Except(kept).ToHashSet())), ref checks);
        removedActors.AddRange(actorNames.Except(keptActors));
        draft = draft.WithoutActors(removedActors.ToHashSet());

        // Ruleset lines that add rules ('-A CHAIN ...'); table headers, chain declarations and COMMIT stay.
        var ruleIndexes = Enumerable.Range(0, draft.RulesetLines.Count).Where(i => draft.RulesetLines[i].TrimStart().StartsWith("-A ", StringComparison.Ordinal)).ToList();
        var keptRules = DeltaDebugger.Minimize(ruleIndexes, kept => Fails(WithRules(draft, ruleIndexes, kept)), ref checks);
        removedRules.AddRange(ruleIndexes.Except(keptRules).Select(i => draft.RulesetLines[i].Trim()));
        draft = WithRules(draft, ruleIndexes, keptRules);

        // Constraints: order constraints and the sequential schedule.
        var constraintItems = draft.Constraints.Select(c => c.Text).ToList();
        if (draft.Sequential)
        {
            constraintItems.Add(SequentialSchedule);
        }

        var keptConstraints = DeltaDebugger.Minimize(constraintItems, kept => Fails(WithConstraints(draft, kept)), ref checks);
        removedConstraints.AddRange(constraintItems.Except(keptConstraints));
        draft = WithConstraints(draft, keptConstraints);

        var final = Check(draft) ?? throw new InvalidOperationException("the minimised spec no longer parses");
        if (final.Verdict != Verdict.Violated)
        {
            throw new InvalidOperationException("the minimised spec no longer violates " + property);
        }

        var semantics = final.Semantics;
        var trace = MinimizeSteps(replay, semantics, property, ref checks);
        var bfs = final.Violation!.Trace;
        if (trace is null || bfs.Length < trace.Length)
        {
            trace = bfs;
        }

        // Report everything that went, including the timeouts and constraints an actor's removal took with it.
        removedActors = original.Actors.Select(a => a.Name).Except(draft.Actors.Select(a => a.Name)).ToList();
        removedConstraints = original.Constraints.Select(c => c.Text).Except(draft.Constraints.Select(c => c.Text)).ToList();
        if (original.Sequential && !draft.Sequential)
        {
            removedConstraints.Add(SequentialSchedule);
        }

        var finished = Finish(draft, property, mutant, file.Spec.Source, removedActors, removedRules, removedConstraints);
        var embedded = SpecEmbedding.Embed(finished, $"minimised from {file.Spec.Source}");
        var minimized = TraceRecorder.RecordViolation(new TraceSource(embedded, semantics, [property], file.Engine, file.Seed), trace, property) with
        {
            Minimization = new MinimizationInfo(file.Spec.Sha256, file.Steps.Count, removedActors, removedRules, removedConstraints, checks),
        };
        return new MinimizationResult(minimized, embedded.Text);
    }

    /// <summary>
    /// Delta debugging over the original trace's steps projected onto the minimal spec's actors; null when the projected
    /// trace does not reach the violation there (the minimal spec then needs another interleaving).
    /// </summary>
    private static Trace<NatState, NatStep>? MinimizeSteps(ReplayResult replay, NatSemantics semantics, string property, ref int checks)
    {
        var catalog = new PropertyCatalog(semantics);
        var describer = new ChoiceDescriber(replay.Semantics);
        var projected = new List<(string ActorName, string Kind, string Description)>();
        foreach (var (step, _) in replay.Trace.Steps)
        {
            var owner = step is GcStep g ? g.Target : step.Actor;
            if (semantics.Scenario.IndexOf(replay.Semantics.Scenario.Actors[owner].Name) >= 0)
            {
                projected.Add((describer.ActorName(TraceReplayer.StepActor(step)), StepKinds.Of(step), describer.Describe(step)));
            }
        }

        bool Violates(NatState s) => catalog.Check(property, s) is not null;
        bool Fails(IReadOnlyList<(string, string, string)> choices) => TraceReplayer.Follow(semantics, choices, Violates) is { } t && Violates(t.Final);
        checks++;
        if (!Fails(projected))
        {
            return null;
        }

        var kept = DeltaDebugger.Minimize(projected, Fails, ref checks);
        return TraceReplayer.Follow(semantics, kept, Violates);
    }

    private static SpecDraft WithRules(SpecDraft draft, IReadOnlyList<int> ruleIndexes, IReadOnlyList<int> kept)
    {
        var drop = ruleIndexes.Except(kept).ToHashSet();
        return draft with { RulesetLines = draft.RulesetLines.Where((_, i) => !drop.Contains(i)).ToList() };
    }

    private static SpecDraft WithConstraints(SpecDraft draft, IReadOnlyList<string> kept) => draft with
    {
        Constraints = draft.Constraints.Where(c => kept.Contains(c.Text)).ToList(),
        Sequential = draft.Sequential && kept.Contains(SequentialSchedule),
    };

    /// <summary>The draft as a minimised spec: named <c>NAME-min</c>, checking only the property, expecting its violation.</summary>
    private static SpecDraft Finish(SpecDraft draft, string property, KernelMutant mutant, string source, IReadOnlyList<string> actors, IReadOnlyList<string> rules, IReadOnlyList<string> constraints)
    {
        var removed = new List<string>();
        if (actors.Count > 0)
        {
            removed.Add($"actors {string.Join(", ", actors)}");
        }

        if (rules.Count > 0)
        {
            removed.Add($"rules [{string.Join("; ", rules)}]");
        }

        if (constraints.Count > 0)
        {
            removed.Add($"constraints [{string.Join("; ", constraints)}]");
        }

        var description = $"Minimised by natverify from {source} ({draft.Name}): the smallest spec found that still violates {property}"
            + (mutant == KernelMutant.None ? string.Empty : $" under mutant {mutant.CliName()}")
            + (removed.Count == 0 ? "; nothing could be removed." : $"; removed {string.Join("; ", removed)}.");
        var expect = mutant == KernelMutant.None
            ? new SpecExpectation(ExpectedVerdict.Violated, property, new Dictionary<string, IReadOnlyList<string>>(), null, new Dictionary<string, string>())
            : new SpecExpectation(null, null, new Dictionary<string, IReadOnlyList<string>>(), null, new Dictionary<string, string> { [mutant.CliName()] = property });
        return draft with
        {
            Name = draft.Name.EndsWith("-min", StringComparison.Ordinal) ? draft.Name : draft.Name + "-min",
            Description = description,
            Tags = ["minimised"],
            Properties = [property],
            Expect = expect,
        };
    }
}
