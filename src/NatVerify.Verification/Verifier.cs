using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;

namespace NatVerify.Verification;

/// <summary>Checks a scenario spec with the explicit-state engine and compares the result with the spec's expectations.</summary>
public static class Verifier
{
    /// <summary>
    /// The engine invariants of the given properties, each bound to its check once (<see cref="PropertyCatalog.Checker"/>),
    /// not matched by id on every state; shared by the explicit search, the cluster and the property suites.
    /// </summary>
    public static IReadOnlyList<Invariant<NatState>> Invariants(NatSemantics semantics, IEnumerable<string> ids)
    {
        var catalog = new PropertyCatalog(semantics);
        return ids.Select(id => new Invariant<NatState>(id, id, catalog.Checker(id))).ToList();
    }

    /// <summary>Explores every interleaving of the spec (within the bounds) and reports verdict, outcomes and expectation failures.</summary>
    public static VerificationResult Check(ScenarioSpec spec, CheckSettings settings, Action<ExplorationStats>? progress = null, CancellationToken cancellationToken = default)
    {
        var semantics = new NatSemantics(spec.Model, settings.Profile ?? spec.Profile, settings.Mutant);
        var invariants = Invariants(semantics, settings.Properties ?? spec.Properties);
        var outcomes = new OutcomeSet { Actors = spec.Model.Actors.Select(a => a.Name).ToList() };
        var symmetry = settings.Symmetry ? ActorSymmetry.Of(semantics) : null;
        var observer = new Observer(semantics, outcomes, progress, symmetry is { Reduces: true } ? new OutcomeOrbits(symmetry) : null);
        // With partial-order reduction, states that differ only in bookkeeping no property or step observes are one,
        // so steps that commute reach one state (docs/performance.md, "Reductions").
        var quotient = settings.Options.PartialOrderReduction && semantics.GhostQuotientSound;
        var system = new ConntrackSystem(semantics) { GhostQuotient = quotient };
        var checker = new ModelChecker<NatState, NatStep>(system, Encoder(settings, quotient ? semantics : null, symmetry), invariants, settings.Options, observer);
        var result = checker.Run(cancellationToken);
        observer.Orbits?.Close(outcomes, system);
        return Report(spec, semantics, result, outcomes) with
        {
            SymmetryClasses = symmetry?.Classes ?? [],
            SymmetryRaces = symmetry is null ? [] : [.. symmetry.Races.Select(t => (IReadOnlyList<IReadOnlyList<int>>)[.. t.Races.Select(r => (IReadOnlyList<int>)r)])],
        };
    }

    /// <summary>
    /// The verdict, violations, outcomes and expectation failures of an engine result; shared by every engine that
    /// explores a spec (one machine here, a cluster in NatVerify.Cluster), so they report alike.
    /// </summary>
    internal static VerificationResult Report(ScenarioSpec spec, NatSemantics semantics, CheckResult<NatState, NatStep> result, OutcomeSet outcomes)
    {

        var verdict = result switch
        {
            Violated<NatState, NatStep> => Verdict.Violated,
            Inconclusive<NatState, NatStep> => Verdict.Inconclusive,
            _ => Verdict.Holds,
        };
        var violations = result is Violated<NatState, NatStep> found ? found.Violations : [];
        var partial = new VerificationResult
        {
            Spec = spec,
            Semantics = semantics,
            Verdict = verdict,
            Stats = result.Stats,
            ViolatedProperties = [.. violations.Select(v => v.Invariant.Id).Order(StringComparer.Ordinal)],
            Violations = violations,
            Violation = result as Violated<NatState, NatStep>,
            Inconclusive = result as Inconclusive<NatState, NatStep>,
            Outcomes = outcomes,
            ExpectationFailures = [],
        };
        return partial with { ExpectationFailures = Expectations.Evaluate(partial) };
    }

    private static IStateEncoder<NatState> Encoder(CheckSettings settings, NatSemantics? ghostQuotient, ActorSymmetry? symmetry)
    {
        var encoder = symmetry is not null ? new NatStateEncoder(ghostQuotient, symmetry)
            : ghostQuotient is null ? new NatStateEncoder() : new NatStateEncoder(ghostQuotient);
        // The engine picks run-numbered fingerprints itself where they are sound (IRunFingerprinter: single-threaded
        // breadth-first search); hiding the interface keeps the canonical bytes everywhere, for comparing the two.
        return !settings.PackedFrontier ? new UnpackedEncoder(encoder)
            : settings.RunFingerprints ? encoder
            : new CanonicalFingerprintEncoder(encoder);
    }

    /// <summary>The canonical encoding and the packed form, without run-numbered fingerprints.</summary>
    private sealed class CanonicalFingerprintEncoder(NatStateEncoder encoder) : IStateEncoder<NatState>, IStatePacker<NatState>
    {
        public void Encode(NatState state, StateWriter writer) => encoder.Encode(state, writer);

        public void Pack(NatState state, StateWriter writer) => encoder.Pack(state, writer);

        public NatState Unpack(ReadOnlySpan<byte> packed) => encoder.Unpack(packed);
    }

    /// <summary>The canonical encoding without the packed form, so the engine queues state objects.</summary>
    private sealed class UnpackedEncoder(NatStateEncoder encoder) : IStateEncoder<NatState>
    {
        public void Encode(NatState state, StateWriter writer) => encoder.Encode(state, writer);
    }

    private sealed class Observer(NatSemantics semantics, OutcomeSet outcomes, Action<ExplorationStats>? progress, OutcomeOrbits? orbits)
        : IExplorationObserver<NatState, NatStep>
    {
        public OutcomeOrbits? Orbits => orbits;

        public void OnProgress(ExplorationStats stats) => progress?.Invoke(stats);

        // Reused for every terminal state; copied only for a joint outcome seen for the first time.
        private Outcome[] _outcomes = [];

        public void OnTerminal(NatState state, Func<Trace<NatState, NatStep>> traceFactory)
        {
            if (_outcomes.Length != state.Count)
            {
                _outcomes = new Outcome[state.Count];
            }

            for (var i = 0; i < _outcomes.Length; i++)
            {
                _outcomes[i] = semantics.OutcomeOf(state, i);
            }

            if (outcomes.TryCount(_outcomes))
            {
                return;
            }

            var list = _outcomes.ToArray();
            outcomes.Add(list, orbits is null ? traceFactory : () => orbits.Witnessed(list, traceFactory()));
        }
    }
}
