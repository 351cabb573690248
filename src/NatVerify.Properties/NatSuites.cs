using FsCheck;
using FsCheck.Fluent;
using NatVerify.Checker;
using NatVerify.Model.Properties;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;
using NatVerify.Verification;

namespace NatVerify.Properties;

/// <summary>
/// The property suites: every property of docs/properties.md over random scenarios and random schedules, and the
/// laws of the model (tuple inversion, pure steps, canonical form, fingerprints), for one kernel profile and mutant.
/// </summary>
public static class NatSuites
{
    /// <summary>
    /// Cases per property by default (tests and <c>natverify props</c>): every kernel mutant is killed well within it
    /// (docs/property-testing.md lists the case at which each is found).
    /// </summary>
    public const int DefaultCount = 300;

    /// <summary>Every catalogue property and every model law, in that order.</summary>
    /// <param name="settings">Profile, mutant, vocabulary, ruleset.</param>
    /// <returns>The runnable properties.</returns>
    public static IReadOnlyList<RunnableProperty> All(SuiteSettings settings) =>
        [.. PropertyIds.All.Select(id => RunnableProperty.Of(Catalogue(id, settings), settings.Cancellation)), .. Laws(settings)];

    /// <summary>The model laws.</summary>
    /// <param name="settings">Profile, mutant, vocabulary, ruleset.</param>
    /// <returns>The runnable laws.</returns>
    public static IReadOnlyList<RunnableProperty> Laws(SuiteSettings settings) =>
    [
        RunnableProperty.Of(InvertInvolution(settings.Vocabulary), settings.Cancellation),
        RunnableProperty.Of(StepsPure(settings), settings.Cancellation),
        RunnableProperty.Of(CanonicalForm(settings), settings.Cancellation),
        RunnableProperty.Of(FingerprintStable(settings), settings.Cancellation),
    ];

    /// <summary>
    /// A catalogue property: for a random scenario and a random schedule through its interleavings, the property
    /// holds in every state the schedule passes. A failing case is normalised to the schedule actually taken, cut
    /// at the failure.
    /// </summary>
    /// <param name="id">The property id (<see cref="PropertyIds"/>).</param>
    /// <param name="settings">Profile, mutant, vocabulary, ruleset.</param>
    /// <returns>The property.</returns>
    public static PropertyDefinition<ScenarioCase> Catalogue(string id, SuiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!PropertyIds.All.Contains(id))
        {
            throw new ArgumentException($"unknown property '{id}'", nameof(id));
        }

        return new PropertyDefinition<ScenarioCase>(
            id,
            $"{id} holds in every state of a random schedule of a random scenario ({settings.Profile.Name})",
            NatGen.CaseArbitrary(settings),
            c =>
            {
                var replay = CaseReplay.Run(c, settings, [id]);
                return replay.Violated ? $"after step {replay.Trace.Length}: {replay.Message}" : null;
            },
            c => Describe(c, settings),
            c => CaseReplay.Measure(c, settings, id).ToString(),
            c => c with { Schedule = CaseReplay.Run(c, settings, [id]).Taken });
    }

    /// <summary>
    /// Law: <c>nf_ct_invert_tuple</c> is an involution on the tuples the model uses (tcp, udp, ICMP echo requests and
    /// replies), and it swaps the addresses.
    /// </summary>
    /// <param name="v">The vocabulary.</param>
    /// <returns>The law.</returns>
    public static PropertyDefinition<ConntrackTuple> InvertInvolution(Vocabulary v)
    {
        var tuples = Gen.Frequency(
            (4, NatGen.Tuple(v)),
            (1, NatGen.TupleOf(v, Model.Addressing.L4Protocol.Icmp).Select(t => t with { DstPort = ConntrackTuple.IcmpEchoReply })));
        return new PropertyDefinition<ConntrackTuple>(
            "law:invert-involution",
            "inverting a tuple twice gives it back, and inverting swaps source and destination addresses",
            Arb.From(tuples, Shrink),
            t =>
            {
                var inverse = t.Invert();
                if (inverse.Invert() != t)
                {
                    return $"{t} inverted twice is {inverse.Invert()}";
                }

                return inverse.SrcIp != t.DstIp || inverse.DstIp != t.SrcIp ? $"{t} inverted is {inverse}: addresses not swapped" : null;
            },
            t => t.ToString(),
            _ => "1 tuple");

        IEnumerable<ConntrackTuple> Shrink(ConntrackTuple t)
        {
            if (t.Protocol != Model.Addressing.L4Protocol.Tcp && t.Protocol != Model.Addressing.L4Protocol.Icmp)
            {
                yield return t with { Protocol = Model.Addressing.L4Protocol.Tcp };
            }
        }
    }

    /// <summary>
    /// Law: computing the successors of a state never changes it, and computing them twice gives the same steps to
    /// the same states in the same order (checked in every state of a random schedule).
    /// </summary>
    /// <param name="settings">Profile, mutant, vocabulary, ruleset.</param>
    /// <returns>The law.</returns>
    public static PropertyDefinition<ScenarioCase> StepsPure(SuiteSettings settings) => StateLaw(
        "law:steps-pure",
        "successors never mutate their input state and are deterministic",
        settings,
        (semantics, state) =>
        {
            var before = state.Slots.ToArray();
            var first = new List<(NatStep Step, NatState Next)>();
            var second = new List<(NatStep Step, NatState Next)>();
            semantics.Successors(state, first);
            if (!state.Slots.SequenceEqual(before))
            {
                return "computing the successors changed the state";
            }

            semantics.Successors(state, second);
            if (first.Count != second.Count)
            {
                return $"successors differ between two calls: {first.Count} then {second.Count}";
            }

            for (var i = 0; i < first.Count; i++)
            {
                if (!first[i].Next.Equals(second[i].Next) || first[i].Step.GetType() != second[i].Step.GetType()
                    || first[i].Step.Actor != second[i].Step.Actor)
                {
                    return $"successor {i} differs between two calls: {first[i].Step.KernelFunction} vs {second[i].Step.KernelFunction}";
                }
            }

            return null;
        });

    /// <summary>
    /// Law: every state is in canonical form (fresh ports numbered by first use), canonicalisation is idempotent, and
    /// renaming the fresh ports of an atom injectively (here: every index one up) canonicalises back to the same
    /// state (data-independence symmetry).
    /// </summary>
    /// <param name="settings">Profile, mutant, vocabulary, ruleset.</param>
    /// <returns>The law.</returns>
    public static PropertyDefinition<ScenarioCase> CanonicalForm(SuiteSettings settings) => StateLaw(
        "law:canonical-form",
        "states are canonical, canonicalisation is idempotent and blind to renaming fresh ports",
        settings,
        (_, state) =>
        {
            var slots = state.Slots.ToArray();
            if (!Canonicalizer.Canonicalize((Slot[])slots.Clone()).AsSpan().SequenceEqual(slots))
            {
                return "a reachable state is not in canonical form";
            }

            var renamed = FreshRenaming.Shift(slots);
            var once = Canonicalizer.Canonicalize(renamed);
            var twice = Canonicalizer.Canonicalize((Slot[])once.Clone());
            if (!once.AsSpan().SequenceEqual(twice))
            {
                return "canonicalising twice differs from canonicalising once";
            }

            return once.AsSpan().SequenceEqual(slots) ? null : "renaming fresh ports changed the canonical form";
        });

    /// <summary>
    /// Law: over the states reachable in a random scenario (breadth-first, at most 2000), two states have the same
    /// fingerprint exactly when they are equal, and a state's fingerprint does not change when it is encoded again.
    /// </summary>
    /// <param name="settings">Profile, mutant, vocabulary, ruleset.</param>
    /// <returns>The law.</returns>
    public static PropertyDefinition<ScenarioCase> FingerprintStable(SuiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PropertyDefinition<ScenarioCase>(
            "law:fingerprint-stable",
            "fingerprints of reachable states are equal exactly when the states are equal, and stable",
            NatGen.CaseArbitrary(settings),
            c => FingerprintLaw(CaseReplay.Semantics(c, settings), 2000),
            c => Describe(c, settings),
            c => c.SizeText());
    }

    private static string? FingerprintLaw(NatSemantics semantics, int limit)
    {
        var encoder = new NatStateEncoder();
        var writer = new StateWriter();
        var byState = new Dictionary<NatState, ulong>();
        var byPrint = new Dictionary<ulong, NatState>();
        var queue = new Queue<NatState>();
        var sink = new List<(NatStep Step, NatState Next)>();

        ulong Print(NatState s)
        {
            writer.Reset();
            encoder.Encode(s, writer);
            return Fingerprint.Of(writer.Written);
        }

        string? Visit(NatState s)
        {
            var print = Print(s);
            if (byState.TryGetValue(s, out var known))
            {
                return known == print ? null : "an equal state reached again has another fingerprint";
            }

            if (byPrint.TryGetValue(print, out var other))
            {
                return $"two different states share fingerprint {print:x16}: the encoding misses a field";
            }

            byState[s] = print;
            byPrint[print] = s;
            queue.Enqueue(s);
            return null;
        }

        if (Visit(semantics.Initial) is { } bad)
        {
            return bad;
        }

        while (queue.Count > 0 && byState.Count < limit)
        {
            var s = queue.Dequeue();
            sink.Clear();
            semantics.Successors(s, sink);
            foreach (var (_, next) in sink)
            {
                if (Visit(next) is { } failure)
                {
                    return failure;
                }
            }
        }

        foreach (var (state, print) in byState)
        {
            if (Print(state) != print)
            {
                return "encoding a state again gave another fingerprint";
            }
        }

        return null;
    }

    private static PropertyDefinition<ScenarioCase> StateLaw(
        string name, string statement, SuiteSettings settings, Func<NatSemantics, NatState, string?> law)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PropertyDefinition<ScenarioCase>(
            name,
            statement,
            NatGen.CaseArbitrary(settings),
            c =>
            {
                var semantics = CaseReplay.Semantics(c, settings);
                var invariant = new Invariant<NatState>(name, statement, s => law(semantics, s));
                var replay = Checker.Random.ScheduleReplayer.Replay(new ConntrackSystem(semantics), c.Schedule, [invariant], settings.MaxSteps);
                return replay.Violated ? $"after step {replay.Trace.Length}: {replay.Message}" : null;
            },
            c => Describe(c, settings),
            c => c.SizeText());
    }

    /// <summary>A case as a spec (YAML) followed by its schedule and how to replay it.</summary>
    /// <param name="c">The case.</param>
    /// <param name="settings">The settings (profile and mutant are recorded).</param>
    /// <returns>The text.</returns>
    public static string Describe(ScenarioCase c, SuiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(settings);
        var mutant = settings.Mutant == Model.KernelMutant.None ? string.Empty : $" --mutant {Model.KernelMutantNames.CliName(settings.Mutant)}";
        var spec = SpecText.Write(c, "counterexample", "A counterexample found and shrunk by natverify props.", settings.Profile);
        return $"{spec}# schedule: {c.Schedule}\n# replay: save this as counterexample.yaml, then: natverify props counterexample.yaml --replay '{c.Schedule}'{mutant}\n";
    }
}
