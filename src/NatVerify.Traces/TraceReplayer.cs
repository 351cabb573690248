using System.Globalization;
using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;

namespace NatVerify.Traces;

/// <summary>
/// Re-executes a trace file deterministically: each recorded choice is looked up among the successors the model
/// offers now, by actor name, step kind and structural description; the first choice that is not offered is
/// reported as a <see cref="Divergence"/> listing what is offered instead.
/// </summary>
public static class TraceReplayer
{
    /// <summary>Replays a trace file.</summary>
    /// <param name="file">The trace.</param>
    /// <param name="fileName">The trace's display path (for errors in the embedded spec).</param>
    /// <param name="options">Overrides of spec, profile or mutant.</param>
    /// <exception cref="TraceFormatException">The file names an unknown profile, mutant or property, or its spec does not match its hash.</exception>
    /// <exception cref="SpecException">The embedded spec is not valid.</exception>
    public static ReplayResult Replay(TraceFile file, string fileName, ReplayOptions? options = null)
    {
        options ??= new ReplayOptions();
        var spec = options.Spec ?? SpecEmbedding.Load(file.Spec, fileName);
        var profile = options.Profile ?? KernelProfile.Find(file.Profile)
            ?? throw new TraceFormatException(fileName, $"$.profile: unknown kernel profile '{file.Profile}'; known: {string.Join(", ", KernelProfile.All.Select(p => p.Name))}");
        KernelMutant mutant;
        if (options.Mutant is { } m)
        {
            mutant = m;
        }
        else if (!KernelMutantNames.TryParse(file.Mutant, out mutant))
        {
            throw new TraceFormatException(fileName, $"$.mutant: unknown mutant '{file.Mutant}'");
        }

        if (file.Property is { } p && !PropertyIds.All.Contains(p))
        {
            throw new TraceFormatException(fileName, $"$.property: unknown property '{p}'; known: {string.Join(", ", PropertyIds.All)}");
        }

        NatSemantics semantics;
        try
        {
            semantics = new NatSemantics(spec.Model, profile, mutant);
        }
        catch (ArgumentException e)
        {
            throw new TraceFormatException(fileName, $"the spec cannot be modelled: {e.Message}");
        }

        var describer = new ChoiceDescriber(semantics);
        var catalog = new PropertyCatalog(semantics);
        var notes = new List<string>();
        var steps = new List<Transition<NatState, NatStep>>();
        var sink = new List<(NatStep Step, NatState Next)>();
        var state = semantics.Initial;
        int? firstViolating = file.Property is { } prop && catalog.Check(prop, state) is not null ? 0 : null;
        Divergence? divergence = null;
        foreach (var choice in file.Steps)
        {
            sink.Clear();
            semantics.Successors(state, sink);
            var actor = choice.ActorName == ChoiceDescriber.GcWorker ? -1 : spec.Model.IndexOf(choice.ActorName);
            if (actor < 0 && choice.ActorName != ChoiceDescriber.GcWorker)
            {
                divergence = new Divergence(choice.Number, $"step {choice.Number}: expected {Expected(choice)}, but the spec has no actor '{choice.ActorName}' (actors: {string.Join(", ", spec.Model.Actors.Select(a => a.Name))})");
                break;
            }

            var mine = Enumerable.Range(0, sink.Count)
                .Where(i => StepActor(sink[i].Step) == actor && StepKinds.Of(sink[i].Step) == choice.Kind)
                .ToList();
            var found = mine.Where(i => describer.Describe(sink[i].Step) == choice.Description).ToList();
            if (found.Count == 0)
            {
                divergence = new Divergence(choice.Number, $"step {choice.Number}: expected {Expected(choice)}, but {Offered(semantics, describer, state, sink, actor, choice)}");
                break;
            }

            var index = found.Contains(choice.Successor) ? choice.Successor : found[0];
            if (index != choice.Successor)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"step {choice.Number}: the choice is now successor {index} of {sink.Count} (recorded: {choice.Successor} of {choice.Enabled})"));
            }

            steps.Add(new Transition<NatState, NatStep>(sink[index].Step, sink[index].Next));
            state = sink[index].Next;
            if (firstViolating is null && file.Property is { } pr && catalog.Check(pr, state) is not null)
            {
                firstViolating = choice.Number;
            }
        }

        var trace = new Trace<NatState, NatStep>(semantics.Initial, steps);
        string? violation = null;
        if (divergence is null)
        {
            violation = file.Property is { } pr ? catalog.Check(pr, state) : null;
            divergence = CompareFinal(file, semantics, state, notes);
        }

        return new ReplayResult
        {
            File = file,
            Spec = spec,
            Semantics = semantics,
            Trace = trace,
            Divergence = divergence,
            Violation = violation,
            FirstViolatingStep = firstViolating,
            Notes = notes,
        };
    }

    /// <summary>
    /// Follows a sequence of (actor, kind, description) choices leniently, for traces replayed on a changed spec or in
    /// another order: a choice matches the same description, or else the same description up to fresh-port numbering
    /// (<see cref="ChoiceDescriber.Shape"/>). Stops early when <paramref name="stop"/> holds in a reached state.
    /// </summary>
    /// <returns>The path followed, or null when some choice is not offered.</returns>
    public static Trace<NatState, NatStep>? Follow(NatSemantics semantics, IEnumerable<(string ActorName, string Kind, string Description)> choices, Func<NatState, bool>? stop = null)
    {
        var describer = new ChoiceDescriber(semantics);
        var sink = new List<(NatStep Step, NatState Next)>();
        var steps = new List<Transition<NatState, NatStep>>();
        var state = semantics.Initial;
        if (stop?.Invoke(state) == true)
        {
            return new Trace<NatState, NatStep>(state, steps);
        }

        foreach (var (name, kind, description) in choices)
        {
            var actor = name == ChoiceDescriber.GcWorker ? -1 : semantics.Scenario.IndexOf(name);
            if (actor < 0 && name != ChoiceDescriber.GcWorker)
            {
                return null;
            }

            sink.Clear();
            semantics.Successors(state, sink);
            var mine = sink.Where(s => StepActor(s.Step) == actor && StepKinds.Of(s.Step) == kind).ToList();
            var exact = mine.FindIndex(s => describer.Describe(s.Step) == description);
            var shape = ChoiceDescriber.Shape(description);
            var chosen = exact >= 0 ? exact : mine.FindIndex(s => ChoiceDescriber.Shape(describer.Describe(s.Step)) == shape);
            if (chosen < 0)
            {
                return null;
            }

            steps.Add(new Transition<NatState, NatStep>(mine[chosen].Step, mine[chosen].Next));
            state = mine[chosen].Next;
            if (stop?.Invoke(state) == true)
            {
                break;
            }
        }

        return new Trace<NatState, NatStep>(semantics.Initial, steps);
    }

    /// <summary>The actor a step belongs to for matching: the stepping actor, or -1 for the GC worker.</summary>
    internal static int StepActor(NatStep step) => step is GcStep ? -1 : step.Actor;

    private static string Expected(TraceChoice c) => $"{c.ActorName} {c.Kind} \"{c.Description}\"";

    private static string Offered(NatSemantics semantics, ChoiceDescriber describer, NatState state, List<(NatStep Step, NatState Next)> sink, int actor, TraceChoice choice)
    {
        var offers = sink.Where(s => StepActor(s.Step) == actor).Select(s => $"{StepKinds.Of(s.Step)} \"{describer.Describe(s.Step)}\"").ToList();
        if (offers.Count > 0)
        {
            return $"the model now offers {choice.ActorName}: {string.Join("; ", offers)}";
        }

        if (actor < 0)
        {
            return "the model offers no garbage collection here (no expired entry is linked)";
        }

        var slot = state[actor];
        if (slot.Terminal)
        {
            return $"{choice.ActorName} has already finished ({semantics.OutcomeOf(state, actor)})";
        }

        var others = sink.Select(s => $"{describer.ActorName(StepActor(s.Step))} {StepKinds.Of(s.Step)}").Distinct().ToList();
        return $"{choice.ActorName} has no enabled step here (its order constraints or the schedule hold it back); enabled: {(others.Count == 0 ? "nothing" : string.Join(", ", others))}";
    }

    private static Divergence? CompareFinal(TraceFile file, NatSemantics semantics, NatState state, List<string> notes)
    {
        var outcomes = TableFacts.Outcomes(semantics, state);
        var recorded = file.Outcomes.Select(o => $"{o.Actor}: {o.Outcome}").ToList();
        var now = outcomes.Select(o => $"{o.Actor}: {o.Outcome}").ToList();
        if (!recorded.SequenceEqual(now))
        {
            return new Divergence(file.Steps.Count + 1, $"after the last step: the trace recorded outcomes {{{string.Join(", ", recorded)}}}, the model now ends with {{{string.Join(", ", now)}}}");
        }

        var format = new TupleFormat(semantics);
        var describer = new ChoiceDescriber(semantics);
        var table = TableFacts.Entries(semantics, state)
            .Select(e => $"{describer.ActorName(e.Owner)}: {format.Fields(e.Original)} {format.Fields(e.Reply)} [{string.Join(",", e.Flags)}]").ToList();
        var recordedTable = file.FinalTable.Select(e => $"{e.Owner}: {e.Original} {e.Reply} [{string.Join(",", e.Flags)}]").ToList();
        if (!table.SequenceEqual(recordedTable))
        {
            notes.Add($"the final conntrack table differs from the recorded one: now [{string.Join("; ", table)}], recorded [{string.Join("; ", recordedTable)}]");
        }

        return null;
    }
}
