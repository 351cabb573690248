using NatVerify.Checker.Random;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Properties;

/// <summary>
/// Shrinkers for generated cases, biggest moves first: drop an actor (and the timeouts aimed at it; never the last
/// actor), drop a rule,
/// shorten or simplify the schedule (drop choices, zero them: fewer steps and fewer switches), then simplify a
/// rule (drop a match condition, a flag, a port range) or an actor (no mark, the local-out path, no interfaces).
/// Every candidate is a valid case: conditions that others need (a protocol under a port match) are kept.
/// </summary>
/// <remarks>
/// A schedule indexes successor lists, so removing an actor or a rule shifts what its choices mean. The
/// settings-aware shrinker therefore first offers each structural candidate with its schedule <em>projected</em>:
/// the old schedule's steps are re-taken in the smaller scenario by the same actors, each picking the same of its own
/// successors, and steps of a removed actor are skipped. This keeps the interleaving that made the case fail.
/// </remarks>
public static class NatShrink
{
    /// <summary>The shrinker with schedule projection for the settings' profile and mutant.</summary>
    /// <param name="settings">Profile, mutant and step limit.</param>
    /// <returns>The shrinker.</returns>
    public static Func<ScenarioCase, IEnumerable<ScenarioCase>> Case(SuiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return c => Projected(c, settings);
    }

    private static IEnumerable<ScenarioCase> Projected(ScenarioCase c, SuiteSettings settings)
    {
        var identity = Enumerable.Range(0, c.Actors.Count).ToArray();
        foreach (var candidate in Case(c))
        {
            if (!ReferenceEquals(candidate.Schedule, c.Schedule))
            {
                yield return candidate;
                continue;
            }

            var map = identity;
            if (candidate.Actors.Count != c.Actors.Count)
            {
                var names = candidate.Actors.Select(a => a.Name).ToList();
                map = c.Actors.Select(a => names.IndexOf(a.Name)).ToArray();
            }

            ChoiceSchedule? projected = null;
            try
            {
                projected = Project(c, candidate, map, settings);
            }
            catch (Exception e) when (e is ArgumentException or Specs.SpecException)
            {
                // An unbuildable candidate is rejected when it is checked; offer it unprojected only.
            }

            if (projected is not null && !projected.Equals(c.Schedule))
            {
                yield return candidate with { Schedule = projected };
            }

            yield return candidate;
        }
    }

    /// <summary>
    /// Re-takes the steps of <paramref name="from"/>'s schedule in <paramref name="to"/>: each step by the mapped actor,
    /// choosing the same ordinal among that actor's successors; steps of unmapped actors, or of actors with no step
    /// enabled, are skipped.
    /// </summary>
    /// <param name="from">The case whose schedule is projected.</param>
    /// <param name="to">The smaller case.</param>
    /// <param name="map">Old actor index to new actor index (-1: removed).</param>
    /// <param name="settings">Profile, mutant and step limit.</param>
    /// <returns>The schedule for <paramref name="to"/>.</returns>
    public static ChoiceSchedule Project(ScenarioCase from, ScenarioCase to, IReadOnlyList<int> map, SuiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(settings);
        var oldSem = CaseReplay.Semantics(from, settings);
        var newSem = CaseReplay.Semantics(to, settings);
        var oldState = oldSem.Initial;
        var newState = newSem.Initial;
        var oldNext = new List<(NatStep Step, NatState Next)>();
        var newNext = new List<(NatStep Step, NatState Next)>();
        var choices = new List<int>();
        for (var i = 0; i < settings.MaxSteps; i++)
        {
            oldNext.Clear();
            oldSem.Successors(oldState, oldNext);
            if (oldNext.Count == 0)
            {
                break;
            }

            var choice = i < from.Schedule.Choices.Count ? from.Schedule.Choices[i] % oldNext.Count : 0;
            var step = oldNext[choice].Step;
            var ordinal = oldNext.Take(choice).Count(x => Thread(x.Step) == Thread(step));
            oldState = oldNext[choice].Next;
            var thread = Thread(step);
            var mapped = thread.Gc ? (thread.Actor < map.Count ? map[thread.Actor] : -1) : map[thread.Actor];
            if (mapped < 0)
            {
                continue;
            }

            newNext.Clear();
            newSem.Successors(newState, newNext);
            var mine = Enumerable.Range(0, newNext.Count).Where(k => Thread(newNext[k].Step) == (thread.Gc, mapped)).ToList();
            if (mine.Count == 0)
            {
                continue;
            }

            var pick = mine[ordinal % mine.Count];
            choices.Add(pick);
            newState = newNext[pick].Next;
        }

        var length = choices.Count;
        while (length > 0 && choices[length - 1] == 0)
        {
            length--;
        }

        return new ChoiceSchedule(0, choices.GetRange(0, length));
    }

    /// <summary>Who takes a step: an actor, or the GC worker collecting an actor's entry.</summary>
    private static (bool Gc, int Actor) Thread(NatStep step) => step is GcStep gc ? (true, gc.Target) : (false, step.Actor);

    /// <summary>The structural shrink candidates of a case (schedules unprojected), in the order a greedy shrinker should try them.</summary>
    /// <param name="c">The case.</param>
    /// <returns>Smaller cases.</returns>
    public static IEnumerable<ScenarioCase> Case(ScenarioCase c)
    {
        ArgumentNullException.ThrowIfNull(c);

        // A scenario keeps at least one actor: the spec format requires one.
        for (var i = 0; i < c.Actors.Count; i++)
        {
            var removed = c.Actors[i].Name;
            var rest = c.Actors.Where((a, k) => k != i && !(a is EntryTimeout t && t.Target == removed)).ToList();
            if (rest.Count > 0)
            {
                yield return c with { Actors = rest };
            }
        }

        for (var i = 0; i < c.Rules.Count; i++)
        {
            yield return c with { Rules = c.Rules.Where((_, k) => k != i).ToList() };
        }

        foreach (var schedule in ScheduleShrinker.Candidates(c.Schedule))
        {
            yield return c with { Schedule = schedule };
        }

        for (var i = 0; i < c.Rules.Count; i++)
        {
            foreach (var simpler in Rule(c.Rules[i]))
            {
                var rules = c.Rules.ToList();
                rules[i] = simpler;
                yield return c with { Rules = rules };
            }
        }

        for (var i = 0; i < c.Actors.Count; i++)
        {
            if (c.Actors[i] is FlowActor f)
            {
                foreach (var simpler in Flow(f, c.Interfaces.Count))
                {
                    var actors = c.Actors.ToList();
                    actors[i] = simpler;
                    yield return c with { Actors = actors };
                }
            }
        }
    }

    /// <summary>Simpler versions of a rule: one match condition or one target option fewer.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>Simpler rules.</returns>
    public static IEnumerable<GeneratedRule> Rule(GeneratedRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var m = rule.Match;
        var portsNeedProtocol = m.SourcePort is not null || m.DestinationPort is not null || TargetHasPorts(rule.Target);
        if (m.Protocol is not null && !portsNeedProtocol)
        {
            yield return rule with { Match = m with { Protocol = null } };
        }

        if (m.Mark is not null)
        {
            yield return rule with { Match = m with { Mark = null } };
        }

        if (m.Source is not null)
        {
            yield return rule with { Match = m with { Source = null } };
        }

        if (m.Destination is not null)
        {
            yield return rule with { Match = m with { Destination = null } };
        }

        if (m.SourcePort is not null)
        {
            yield return rule with { Match = m with { SourcePort = null } };
        }

        if (m.DestinationPort is not null)
        {
            yield return rule with { Match = m with { DestinationPort = null } };
        }

        if (m.InInterface is not null)
        {
            yield return rule with { Match = m with { InInterface = null } };
        }

        if (m.OutInterface is not null)
        {
            yield return rule with { Match = m with { OutInterface = null } };
        }

        foreach (var target in Target(rule.Target))
        {
            yield return rule with { Target = target };
        }
    }

    private static bool TargetHasPorts(RuleTarget target) => target switch
    {
        SnatTarget s => s.Range.ProtoSpecified,
        DnatTarget d => d.Range.ProtoSpecified,
        MasqueradeTarget m => m.Ports is not null,
        RedirectTarget r => r.Ports is not null,
        _ => false,
    };

    private static IEnumerable<RuleTarget> Target(RuleTarget target)
    {
        const NatRangeFlags extras = NatRangeFlags.ProtoRandom | NatRangeFlags.ProtoRandomFully | NatRangeFlags.Persistent;
        switch (target)
        {
            case SnatTarget s:
                foreach (var r in Range(s.Range))
                {
                    yield return new SnatTarget(r);
                }

                break;
            case DnatTarget d:
                foreach (var r in Range(d.Range))
                {
                    yield return new DnatTarget(r);
                }

                break;
            case MasqueradeTarget m:
                if ((m.Flags & extras) != 0)
                {
                    yield return m with { Flags = m.Flags & ~extras };
                }

                break;
            case RedirectTarget r:
                if ((r.Flags & extras) != 0)
                {
                    yield return r with { Flags = r.Flags & ~extras };
                }

                break;
        }

        IEnumerable<NatRange> Range(NatRange range)
        {
            if ((range.Flags & extras) != 0)
            {
                yield return range with { Flags = range.Flags & ~extras };
            }

            if (range.MaxAddr != range.MinAddr)
            {
                yield return range with { MaxAddr = range.MinAddr };
            }

            if (range.ProtoSpecified && range.MinProto != range.MaxProto)
            {
                yield return range with { MaxProto = range.MinProto };
            }
        }
    }

    /// <summary>Simpler versions of a flow: no mark, the local-out path, fewer interfaces.</summary>
    /// <param name="f">The flow.</param>
    /// <param name="interfaceCount">How many interfaces the scenario declares (with exactly one, a flow keeps it).</param>
    /// <returns>Simpler flows.</returns>
    public static IEnumerable<FlowActor> Flow(FlowActor f, int interfaceCount)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (f.Mark != 0)
        {
            yield return f with { Mark = 0 };
        }

        if (f.Path != PacketPath.LocalOut)
        {
            var outIface = f.OutInterface ?? (interfaceCount == 1 ? f.InInterface : null);
            yield return f with { Path = PacketPath.LocalOut, InInterface = null, OutInterface = outIface };
        }

        if (interfaceCount != 1)
        {
            if (f.InInterface is not null)
            {
                yield return f with { InInterface = null };
            }

            if (f.OutInterface is not null)
            {
                yield return f with { OutInterface = null };
            }
        }
    }
}
