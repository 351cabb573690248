using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Traces;

namespace NatVerify.Reporting;

/// <summary>
/// A schedule a script can drive: every actor runs without interruption (a script cannot stop a packet between
/// conntrack creation and confirmation), in an order chosen so that the model shows the same outcomes as the trace.
/// Interleavings the trace has inside a flow's create→confirm window are reported as <see cref="Races"/>.
/// </summary>
/// <param name="Units">The units, in the order the script runs them.</param>
/// <param name="Races">One sentence per flow whose window the trace interrupts, saying what the script does instead.</param>
/// <param name="Equivalent">True when the model shows the trace's outcomes for this order.</param>
/// <param name="Outcomes">The outcomes the model predicts for this order under the trace's semantics.</param>
public sealed record SequentialSchedule(IReadOnlyList<ScheduleUnit> Units, IReadOnlyList<string> Races, bool Equivalent, IReadOnlyList<ActorOutcome> Outcomes)
{
    /// <summary>Plans the schedule of a trace.</summary>
    public static SequentialSchedule Plan(NatSemantics semantics, Trace<NatState, NatStep> trace)
    {
        var units = SplitUnits(trace);
        var target = TableFacts.Outcomes(semantics, trace.Final).Select(o => o.ToString()).ToList();
        var free = Unconstrained(semantics, semantics.Mutant);
        List<ScheduleUnit>? first = null;
        IReadOnlyList<ActorOutcome>? firstOutcomes = null;

        // The placement that keeps what each flow saw: where it probes the table for its SRC manip, else where it
        // finished, else where it started. The first order whose outcomes match the trace's wins.
        foreach (var key in new Func<ScheduleUnit, int>[] { u => SrcNatStep(trace, u), u => u.Steps[^1], u => u.Steps[0] })
        {
            var order = units.OrderBy(key).ThenBy(u => u.Steps[0]).ToList();
            var (final, _) = Run(free, order, trace, semantics);
            var outcomes = TableFacts.Outcomes(free, final);
            first ??= order;
            firstOutcomes ??= outcomes;
            if (outcomes.Select(o => o.ToString()).SequenceEqual(target))
            {
                return new SequentialSchedule(order, DescribeRaces(semantics, trace, units, order), true, outcomes);
            }
        }

        return new SequentialSchedule(first!, DescribeRaces(semantics, trace, units, first!), false, firstOutcomes!);
    }

    /// <summary>
    /// Runs the units in order in <paramref name="semantics"/> (which should have no order constraints): each unit steps
    /// its actor to the end, preferring the trace's choice (same description, or same up to fresh-port numbering).
    /// </summary>
    public static (NatState Final, Trace<NatState, NatStep> Path) Run(NatSemantics semantics, IReadOnlyList<ScheduleUnit> units, Trace<NatState, NatStep> trace, NatSemantics traceSemantics)
    {
        var describer = new ChoiceDescriber(semantics);
        var traceDescriber = new ChoiceDescriber(traceSemantics);
        var sink = new List<(NatStep Step, NatState Next)>();
        var steps = new List<Transition<NatState, NatStep>>();
        var state = semantics.Initial;
        foreach (var unit in units)
        {
            var wanted = unit.Steps.Select(n => traceDescriber.Describe(trace.Steps[n - 1].Action)).ToList();
            for (var guard = 0; guard < 16; guard++)
            {
                if (!unit.IsGc && state[unit.Actor].Terminal)
                {
                    break;
                }

                sink.Clear();
                semantics.Successors(state, sink);
                var mine = sink.Where(s => unit.IsGc ? s.Step is GcStep g && g.Target == unit.Actor : s.Step is not GcStep && s.Step.Actor == unit.Actor).ToList();
                if (mine.Count == 0)
                {
                    break;
                }

                var want = guard < wanted.Count ? wanted[guard] : null;
                var index = want is null ? -1 : mine.FindIndex(s => describer.Describe(s.Step) == want);
                if (index < 0 && want is not null)
                {
                    index = mine.FindIndex(s => ChoiceDescriber.Shape(describer.Describe(s.Step)) == ChoiceDescriber.Shape(want));
                }

                var (step, next) = mine[Math.Max(index, 0)];
                steps.Add(new Transition<NatState, NatStep>(step, next));
                state = next;
                if (unit.IsGc)
                {
                    break;
                }
            }
        }

        return (state, new Trace<NatState, NatStep>(semantics.Initial, steps));
    }

    /// <summary>The scenario of <paramref name="semantics"/> without order constraints or sequential schedule, under <paramref name="mutant"/>.</summary>
    public static NatSemantics Unconstrained(NatSemantics semantics, KernelMutant mutant) =>
        new(semantics.Scenario with { Constraints = [], Sequential = false }, semantics.Profile, mutant);

    private static List<ScheduleUnit> SplitUnits(Trace<NatState, NatStep> trace)
    {
        var byActor = new Dictionary<int, List<int>>();
        var units = new List<ScheduleUnit>();
        for (var n = 0; n < trace.Steps.Count; n++)
        {
            var step = trace.Steps[n].Action;
            if (step is GcStep g)
            {
                units.Add(new ScheduleUnit(g.Target, true, [n + 1]));
                continue;
            }

            if (!byActor.TryGetValue(step.Actor, out var list))
            {
                byActor[step.Actor] = list = [];
                units.Add(new ScheduleUnit(step.Actor, false, list));
            }

            list.Add(n + 1);
        }

        return units;
    }

    /// <summary>The step at which a flow's SRC manip probed the table, or its last step.</summary>
    private static int SrcNatStep(Trace<NatState, NatStep> trace, ScheduleUnit unit)
    {
        foreach (var n in unit.Steps)
        {
            if (trace.Steps[n - 1].Action is NatSetup s && s.Manip == Model.Nat.ManipType.Src)
            {
                return n;
            }
        }

        return unit.Steps[^1];
    }

    private static List<string> DescribeRaces(NatSemantics semantics, Trace<NatState, NatStep> trace, List<ScheduleUnit> units, List<ScheduleUnit> order)
    {
        var races = new List<string>();
        foreach (var unit in units.Where(u => !u.IsGc && semantics.Scenario.Actors[u.Actor] is FlowActor))
        {
            var (start, end) = (unit.Steps[0], unit.Steps[^1]);
            var inside = units.Where(o => o != unit && o.Steps.Any(n => n > start && n < end)).ToList();
            if (inside.Count == 0)
            {
                continue;
            }

            var name = semantics.Scenario.Actors[unit.Actor].Name;
            var others = string.Join(", ", inside.Select(o => Name(semantics, o)));
            var position = order.IndexOf(unit);
            var before = inside.Where(o => order.IndexOf(o) < position).Select(o => Name(semantics, o)).ToList();
            var after = inside.Where(o => order.IndexOf(o) > position).Select(o => Name(semantics, o)).ToList();
            var what = new List<string>();
            if (before.Count > 0)
            {
                what.Add($"runs {string.Join(", ", before)} before {name} starts");
            }

            if (after.Count > 0)
            {
                what.Add($"runs {string.Join(", ", after)} after {name} is confirmed");
            }

            races.Add($"the trace runs {others} inside {name}'s create->confirm window (steps {start}-{end}); a script cannot stop a packet there, so it {string.Join(" and ", what)}");
        }

        return races;
    }

    private static string Name(NatSemantics semantics, ScheduleUnit unit) =>
        unit.IsGc ? $"the GC of {semantics.Scenario.Actors[unit.Actor].Name}'s entry" : semantics.Scenario.Actors[unit.Actor].Name;
}
