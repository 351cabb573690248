using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Reference.Tests;

/// <summary>
/// Building only the stubborn set's successors (<see cref="IProcessSuccessors{TState, TAction}"/>,
/// <see cref="CheckerOptions.LazyReduction"/>) is a pure speed change: for every shipped spec, with partial-order reduction
/// under the real kernel and every mutant, and with partial-order and symmetry reduction under the real kernel, the lazy
/// breadth-first search reports exactly what the eager one (every successor built, then the stubborn set selected)
/// reports: verdict, violated properties, expectation failures, stored states, transitions, terminal states, reduced
/// expansions and depth, the joint outcomes in discovery order with their counts, and every counterexample and witness
/// step for step (the lazy search records a kept step by its rank among the kept steps and rebuilds traces by
/// expanding again).
/// </summary>
public sealed class LazyReductionTests
{
    public static TheoryData<string, KernelMutant, string> Cases()
    {
        var data = new TheoryData<string, KernelMutant, string>();
        foreach (string file in ShippedSpecs.Files())
        {
            foreach (KernelMutant mutant in KernelMutantNames.All.Prepend(KernelMutant.None))
            {
                data.Add(ShippedSpecs.Relative(file), mutant, "por");
            }

            data.Add(ShippedSpecs.Relative(file), KernelMutant.None, "por+sym");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lazy_reduced_check_equals_the_eager_reduced_check(string file, KernelMutant mutant, string reduce)
    {
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, file));
        VerificationResult eager = Verifier.Check(spec, Settings(mutant, reduce, lazy: false));
        VerificationResult lazy = Verifier.Check(spec, Settings(mutant, reduce, lazy: true));

        Assert.True(eager.Exhaustive);
        Assert.True(lazy.Exhaustive);
        Assert.Equal(eager.Verdict, lazy.Verdict);
        Assert.Equal(eager.ViolatedProperties, lazy.ViolatedProperties);
        Assert.Equal(eager.ExpectationFailures, lazy.ExpectationFailures);
        Assert.Equal(eager.Stats.StatesStored, lazy.Stats.StatesStored);
        Assert.Equal(eager.Stats.Transitions, lazy.Stats.Transitions);
        Assert.Equal(eager.Stats.TerminalStates, lazy.Stats.TerminalStates);
        Assert.Equal(eager.Stats.ReducedExpansions, lazy.Stats.ReducedExpansions);
        Assert.Equal(eager.Stats.MaxDepthReached, lazy.Stats.MaxDepthReached);
        Assert.Equal(
            eager.Outcomes.Joint.Select(j => $"{string.Join("|", j.Outcomes)} x{j.TerminalStates}"),
            lazy.Outcomes.Joint.Select(j => $"{string.Join("|", j.Outcomes)} x{j.TerminalStates}"));
        foreach (var (e, l) in eager.Outcomes.Joint.Zip(lazy.Outcomes.Joint))
        {
            AssertSameTrace(e.Witness, l.Witness);
        }

        Assert.Equal(eager.Violations.Count, lazy.Violations.Count);
        foreach (var (e, l) in eager.Violations.Zip(lazy.Violations))
        {
            Assert.Equal(e.Invariant.Id, l.Invariant.Id);
            AssertSameTrace(e.Trace, l.Trace);
        }
    }

    [Fact]
    public void Lazy_reduction_builds_fewer_successors_on_two_seed_races()
    {
        // The point of the lazy path, observed through the adapter: on specs/scale/two-seed-races.yaml the lazy search
        // asks for fewer successor states than the eager one, for the same reduced state space.
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine(ShippedSpecs.Root, "specs/scale/two-seed-races.yaml"));
        long Built(bool lazy)
        {
            var semantics = new Model.Semantics.NatSemantics(spec.Model, spec.Profile);
            var system = new CountingSystem(new ConntrackSystem(semantics) { GhostQuotient = semantics.GhostQuotientSound });
            var options = new CheckerOptions { StopAtFirstViolation = false, PartialOrderReduction = true, LazyReduction = lazy };
            var result = new ModelChecker<NatState, NatStep>(system, semantics.GhostQuotientSound ? new NatStateEncoder(semantics) : new NatStateEncoder(), [], options).Run();
            Assert.IsType<Verified<NatState, NatStep>>(result);
            return system.Built;
        }

        long eager = Built(lazy: false);
        long lazy = Built(lazy: true);
        Assert.True(lazy < eager, $"lazy {lazy} vs eager {eager}");
    }

    private static void AssertSameTrace(Trace<NatState, NatStep> expected, Trace<NatState, NatStep> actual)
    {
        Assert.Equal(expected.Initial, actual.Initial);
        Assert.Equal(expected.Steps.Select(s => s.Next), actual.Steps.Select(s => s.Next));
        Assert.Equal(expected.Steps.Select(s => s.Action.ToString()), actual.Steps.Select(s => s.Action.ToString()));
    }

    private static CheckSettings Settings(KernelMutant mutant, string reduce, bool lazy) => new()
    {
        Mutant = mutant,
        Symmetry = reduce.Contains("sym", StringComparison.Ordinal),
        Options = new CheckerOptions { StopAtFirstViolation = false, PartialOrderReduction = true, LazyReduction = lazy },
    };

    /// <summary>The adapter, counting every successor state it builds for the search.</summary>
    private sealed class CountingSystem(ConntrackSystem inner) : ISearchSuccessors<NatState, NatStep>, IProcessSuccessors<NatState, NatStep>
    {
        public long Built { get; private set; }

        public IReadOnlyList<NatState> InitialStates => inner.InitialStates;

        public int ProcessCount => inner.ProcessCount;

        public void Successors(NatState state, List<Transition<NatState, NatStep>> sink) => inner.Successors(state, sink);

        public void SearchSuccessors(NatState state, List<Transition<NatState, NatStep>> sink)
        {
            int before = sink.Count;
            inner.SearchSuccessors(state, sink);
            Built += sink.Count - before;
        }

        public void ProcessSuccessors(NatState state, int process, List<Transition<NatState, NatStep>> sink)
        {
            int before = sink.Count;
            inner.ProcessSuccessors(state, process, sink);
            Built += sink.Count - before;
        }

        public bool HasEnabledSteps(NatState state, int process) => inner.HasEnabledSteps(state, process);

        public void EnabledFootprint(NatState state, int process, Footprint footprint) => inner.EnabledFootprint(state, process, footprint);

        public int ProcessOf(NatStep action) => inner.ProcessOf(action);

        public void StepFootprint(NatState state, NatStep action, Footprint footprint) => inner.StepFootprint(state, action, footprint);

        public void FutureFootprint(NatState state, int process, Footprint footprint) => inner.FutureFootprint(state, process, footprint);

        public bool IsVisible(NatState state, NatStep action) => inner.IsVisible(state, action);

        public long Progress(NatState state) => inner.Progress(state);
    }
}
