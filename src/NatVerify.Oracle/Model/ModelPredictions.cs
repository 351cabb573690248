using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Oracle.Model;

/// <summary>
/// The model's side of an oracle run: the check of the spec (<see cref="Verifier.Check"/>: verdict and joint
/// outcomes) and every distinct terminal state, each turned into what the kernel would show.
/// </summary>
public sealed class ModelPredictions
{
    /// <summary>Most distinct states explored for the predictions before giving up.</summary>
    public const long MaxStates = 2_000_000;

    private ModelPredictions(VerificationResult check, IReadOnlyList<Prediction> predictions)
    {
        Check = check;
        Predictions = predictions;
    }

    /// <summary>The model checker's result for the spec as written (its schedule, order and profile).</summary>
    public VerificationResult Check { get; }

    /// <summary>The semantics explored.</summary>
    public NatSemantics Semantics => Check.Semantics;

    /// <summary>One prediction per distinct terminal state, in BFS order.</summary>
    public IReadOnlyList<Prediction> Predictions { get; }

    /// <summary>
    /// Explores the spec exhaustively under its own profile (or <paramref name="profile"/>) and the given mutant;
    /// throws <see cref="UnsupportedScenarioException"/> when a bound cuts the exploration short.
    /// </summary>
    public static ModelPredictions Compute(ScenarioSpec spec, KernelProfile? profile = null, KernelMutant mutant = KernelMutant.None, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = new CheckerOptions { StopAtFirstViolation = false, MaxStates = MaxStates, Timeout = TimeSpan.FromSeconds(120) };
        var check = Verifier.Check(spec, new CheckSettings { Options = options, Profile = profile, Mutant = mutant }, null, cancellationToken);
        if (!check.Exhaustive)
        {
            throw new UnsupportedScenarioException(
                $"the model's exploration of {spec.Name} was cut short ({check.Inconclusive!.Bound}); the oracle compares only with exhaustive outcome sets");
        }

        var semantics = check.Semantics;
        var collector = new Collector(semantics);
        var checker = new ModelChecker<NatState, NatStep>(new ConntrackSystem(semantics), new NatStateEncoder(), [], options, collector);
        var run = checker.Run(cancellationToken);
        if (run is Inconclusive<NatState, NatStep> cut)
        {
            throw new UnsupportedScenarioException($"the model's exploration of {spec.Name} was cut short ({cut.Bound})");
        }

        return new ModelPredictions(check, collector.Predictions);
    }

    /// <summary>What the kernel would show in one terminal state.</summary>
    internal static Prediction Predict(NatSemantics semantics, NatState state, int number, Func<Trace<NatState, NatStep>> witness)
    {
        var scenario = semantics.Scenario;
        var outcomes = new Outcome[state.Count];
        var entries = new List<PredictedEntry>();
        var flows = new Dictionary<string, PredictedFlow>(StringComparer.Ordinal);
        var events = new Dictionary<string, OutcomeKind>(StringComparer.Ordinal);
        var dropped = new List<string>();
        long inserts = 0, drops = 0, clashes = 0;
        for (var i = 0; i < state.Count; i++)
        {
            var actor = scenario.Actors[i];
            var slot = state[i];
            outcomes[i] = semantics.OutcomeOf(state, i);
            if (slot.OriginalLinked)
            {
                // conntrack -L walks original nodes: reply-only NAT_CLASH entries never show.
                entries.Add(new PredictedEntry(actor.Name, semantics.Original(i), slot.Reply));
            }

            switch (actor)
            {
                case FlowActor flow:
                    flows[flow.Name] = new PredictedFlow(flow.Name, flow.Original.Protocol, outcomes[i], Delivered(semantics, state, i));
                    if (slot.Phase == Phase.Dropped && !slot.Has(CtStatus.DroppedByTarget))
                    {
                        drops++;
                        dropped.Add(flow.Name);
                    }
                    else
                    {
                        // Each earlier SYN of a flow that retransmitted was dropped at confirm (the Retrying phase follows
                        // only such a drop). A flow dropped for good has its retransmissions counted from the socket instead.
                        drops += slot.Attempt;
                    }

                    if (slot.Phase is Phase.Merged or Phase.ClashEntry)
                    {
                        clashes++;
                    }

                    break;
                case CtnetlinkInsert or CtnetlinkDelete:
                    events[actor.Name] = outcomes[i].Kind;
                    if (slot.Phase == Phase.Inserted)
                    {
                        inserts++;
                    }

                    break;
            }
        }

        return new Prediction
        {
            Number = number,
            State = state,
            Outcomes = outcomes,
            Entries = entries,
            Flows = flows,
            Events = events,
            Counters = new CounterExpectation(inserts, drops, drops, clashes),
            DroppedAtConfirm = dropped,
            Witness = witness,
        };
    }

    /// <summary>
    /// The first packet as it leaves the NAT box: mangled by its own entry's manips (confirmed, merged or
    /// NAT_CLASH: <c>nf_nat_packet</c> ran at each hook before confirm), or by the entry it joined; null when dropped.
    /// </summary>
    private static ConntrackTuple? Delivered(NatSemantics semantics, NatState state, int i)
    {
        var slot = state[i];
        switch (slot.Phase)
        {
            case Phase.Confirmed or Phase.Merged or Phase.ClashEntry:
                return slot.Reply.Invert();
            case Phase.Untracked or Phase.Invalid:
                // No conntrack (untracked, or invalid: nf_conntrack_in dropped its reference), so no NAT: the packet
                // leaves as it was sent.
                return semantics.Original(i);
            case Phase.Joined:
                var partner = slot.Partner;
                var original = semantics.Original(i);
                if (semantics.Scenario.Actors[partner] is not FlowActor)
                {
                    // A ctnetlink entry without NAT attributes has no NAT status bits: packets pass unmangled.
                    return original;
                }

                var p = state[partner];
                return semantics.Original(partner) == original ? p.Reply.Invert() : semantics.Original(partner).Invert();
            default:
                return null;
        }
    }

    private sealed class Collector(NatSemantics semantics) : IExplorationObserver<NatState, NatStep>
    {
        private readonly List<Prediction> _predictions = [];

        public IReadOnlyList<Prediction> Predictions
        {
            get
            {
                lock (_predictions)
                {
                    return [.. _predictions];
                }
            }
        }

        public void OnProgress(ExplorationStats stats)
        {
        }

        public void OnTerminal(NatState state, Func<Trace<NatState, NatStep>> traceFactory)
        {
            lock (_predictions)
            {
                _predictions.Add(Predict(semantics, state, _predictions.Count + 1, traceFactory));
            }
        }
    }
}
