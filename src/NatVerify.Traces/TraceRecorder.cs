using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.State;
using NatVerify.Model.Nat;
using NatVerify.Model.Steps;
using NatVerify.Specs;

namespace NatVerify.Traces;

/// <summary>Turns an engine trace into a <see cref="TraceFile"/> by recording, for every step, which successor it was.</summary>
public static class TraceRecorder
{
    /// <summary>Records a counterexample: the trace's final state must violate <paramref name="property"/>.</summary>
    /// <exception cref="ArgumentException">The final state does not violate the property.</exception>
    /// <exception cref="InvalidOperationException">The trace is not a path of the source's semantics.</exception>
    public static TraceFile RecordViolation(TraceSource source, Trace<NatState, NatStep> trace, string property)
    {
        var message = new PropertyCatalog(source.Semantics).Check(property, trace.Final)
            ?? throw new ArgumentException($"the trace's final state does not violate {property}", nameof(property));
        return Record(source, trace, TraceKind.Violation) with { Property = property, Message = message };
    }

    /// <summary>Records a witness of the outcomes in the trace's final state.</summary>
    /// <exception cref="InvalidOperationException">The trace is not a path of the source's semantics.</exception>
    public static TraceFile RecordWitness(TraceSource source, Trace<NatState, NatStep> trace) => Record(source, trace, TraceKind.Witness);

    private static TraceFile Record(TraceSource source, Trace<NatState, NatStep> trace, TraceKind kind)
    {
        var semantics = source.Semantics;
        var describer = new ChoiceDescriber(semantics);
        var format = new TupleFormat(semantics);
        var state = semantics.Initial;
        if (!state.Equals(trace.Initial))
        {
            throw new InvalidOperationException("the trace does not start in the scenario's initial state");
        }

        var sink = new List<(NatStep Step, NatState Next)>();
        var choices = new List<TraceChoice>();
        var locations = EmbeddedLocations(source.Spec);
        foreach (var (step, next) in trace.Steps)
        {
            sink.Clear();
            semantics.Successors(state, sink);
            var description = describer.Describe(step);
            var index = sink.FindIndex(s => s.Next.Equals(next) && s.Step.Actor == step.Actor && describer.Describe(s.Step) == description);
            if (index < 0)
            {
                throw new InvalidOperationException($"step {choices.Count + 1} ({description}) is not a successor of the state it follows");
            }

            var actor = step is GcStep ? -1 : step.Actor;
            choices.Add(new TraceChoice(choices.Count + 1, actor, describer.ActorName(actor), StepKinds.Of(step), index, sink.Count, description)
            {
                Rules = RulesOf(step, locations),
            });
            state = next;
        }

        return new TraceFile
        {
            Kind = kind,
            Spec = source.Spec,
            Profile = semantics.Profile.Name,
            Mutant = semantics.Mutant.CliName(),
            Properties = source.Properties,
            Engine = source.Engine,
            Seed = source.Seed,
            Actors = semantics.Scenario.Actors.Select(a => a.Name).ToList(),
            Steps = choices,
            Outcomes = TableFacts.Outcomes(semantics, state),
            FinalTable = TableFacts.Entries(semantics, state)
                .Select(e => new FinalEntry(describer.ActorName(e.Owner), format.Fields(e.Original), format.Fields(e.Reply), e.Flags))
                .ToList(),
            FinalCounters = Counters.Count(trace.Steps.Select(s => s.Action)).Named(),
        };
    }

    /// <summary>
    /// The rules a step names, with their role: for every base chain the packet met in the step, the rule or policy that
    /// decided it (<c>decided</c>; ACCEPT rules and ACCEPT policies included), a notrack rule (<c>decided</c>, verdict
    /// <c>notrack</c>), and a drop after the NAT core (<c>dropped after NAT</c>). Steps computed without diagnostics carry
    /// no chain decisions and name only the NAT target, drop or notrack rule. One list for the trace file and every
    /// rendering.
    /// </summary>
    public static IReadOnlyList<StepRule> DecidingRules(NatStep step)
    {
        var rules = new List<StepRule>(2);
        switch (step)
        {
            case ConntrackIn c:
                if (c.Decided is { } d && !c.Chains.Any(x => x.Decider == d))
                {
                    // Not a chain's verdict: the notrack statement (xt_ct_target / nft_notrack_eval) of an untracked packet.
                    rules.Add(new StepRule("decided", d, c.Ended == Phase.Untracked ? "notrack" : null, null));
                }

                rules.AddRange(c.Chains.Select(x => new StepRule("decided", x.Decider, x.Verdict, x)));
                break;
            case NatSetup s when s.Chains.Count > 0:
                for (var k = 0; k < s.Chains.Count; k++)
                {
                    var x = s.Chains[k];
                    var after = k == s.Chains.Count - 1 && s.Filtered is { } f && x.Decider == f;
                    rules.Add(new StepRule(after ? "dropped after NAT" : "decided", x.Decider, x.Verdict, x));
                }

                break;
            case NatSetup s:
                if (s.Decided is { } decided)
                {
                    rules.Add(new StepRule("decided", decided, null, null));
                }

                if (s.Filtered is { } filtered)
                {
                    rules.Add(new StepRule("dropped after NAT", filtered, null, null));
                }

                break;
        }

        return rules;
    }

    private static List<TraceRule> RulesOf(NatStep step, IReadOnlyDictionary<string, RuleLocation> locations) =>
        [.. DecidingRules(step).Select(x =>
        {
            var r = x.Rule;
            var at = locations.GetValueOrDefault(r.Name);
            return new TraceRule(x.Role, r.Name, r.Text, at?.Line, at?.Column, r.Location?.Handle ?? at?.Handle, r.Location?.JsonIndex ?? at?.JsonIndex)
            {
                Verdict = x.Verdict,
                Hook = x.Decision?.HookName,
                Chain = x.Decision?.Chain,
                Path = x.Decision is { Path.Count: > 0 } c ? [.. c.Path.Select(p => p.Name)] : null,
            };
        })];

    /// <summary>
    /// Where each rule and policy sits in the embedded spec's text, by the name outcomes give it. The trace records
    /// these rather than the loaded file's locations: a <c>ruleset-file</c> is inlined on embedding, and a replay loads
    /// the embedded text, so only positions in <c>spec.text</c> are the same every time the trace is recorded.
    /// </summary>
    private static Dictionary<string, RuleLocation> EmbeddedLocations(EmbeddedSpec embedded)
    {
        var result = new Dictionary<string, RuleLocation>(StringComparer.Ordinal);
        ScenarioSpec spec;
        try
        {
            spec = SpecLoader.Parse(embedded.Text, "spec", Specs.Input.SpecLoadOptions.Embedded);
        }
        catch (SpecException)
        {
            // The semantics was built from this text or a spec given on the command line; without a parse, no lines.
            return result;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in spec.Model.Ruleset.Tables)
        {
            names[table.Key] = table.Name;
            foreach (var chain in table.Chains.Values)
            {
                for (var n = 0; n < chain.Rules.Count; n++)
                {
                    if (chain.Rules[n].Location is { } at)
                    {
                        result.TryAdd($"{table.Name}/{chain.Name}#{n + 1}", at);
                    }
                }
            }
        }

        foreach (var bc in spec.Model.Ruleset.BaseChains)
        {
            if (bc.Location is { } at)
            {
                result.TryAdd($"{names.GetValueOrDefault(bc.Table, bc.Table)}/{bc.Chain}#policy", at);
            }
        }

        return result;
    }
}
