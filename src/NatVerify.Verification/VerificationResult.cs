using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;

namespace NatVerify.Verification;

/// <summary>Everything a check found: the verdict, statistics, the outcome sets and how the spec's expectations fared.</summary>
public sealed record VerificationResult
{
    /// <summary>The spec checked.</summary>
    public required ScenarioSpec Spec { get; init; }

    /// <summary>The semantics that was explored (profile, mutant, port universe).</summary>
    public required NatSemantics Semantics { get; init; }

    /// <summary>The verdict.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>Engine statistics.</summary>
    public required ExplorationStats Stats { get; init; }

    /// <summary>
    /// Every property that failed in some explored state, sorted. Every property is evaluated in every stored state;
    /// only with <c>StopAtFirstViolation</c> (not the default of <see cref="CheckSettings"/>) does the search end at the
    /// first violating state, and then this lists what fails there.
    /// </summary>
    public required IReadOnlyList<string> ViolatedProperties { get; init; }

    /// <summary>One counterexample per violated property, in the order the properties were given (shortest with BFS).</summary>
    public IReadOnlyList<PropertyViolation<NatState, NatStep>> Violations { get; init; } = [];

    /// <summary>The counterexample of <paramref name="property"/>, or null when it was not violated.</summary>
    public PropertyViolation<NatState, NatStep>? ViolationOf(string property) =>
        Violations.FirstOrDefault(v => v.Invariant.Id == property);

    /// <summary>The first violation found (shortest with BFS), if any.</summary>
    public Violated<NatState, NatStep>? Violation { get; init; }

    /// <summary>The bound that ended an inconclusive run.</summary>
    public Inconclusive<NatState, NatStep>? Inconclusive { get; init; }

    /// <summary>
    /// The classes of interchangeable actors whose renamings the search merged (empty without
    /// <see cref="CheckSettings.Symmetry"/> or when no two actors are interchangeable).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> SymmetryClasses { get; init; } = [];

    /// <summary>
    /// The classes of interchangeable races (each race a list of actors, by role) whose renamings, together with the
    /// concrete ports and marks of each race, the search merged.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyList<int>>> SymmetryRaces { get; init; } = [];

    /// <summary>True when the search merged renamings of actors or races.</summary>
    public bool SymmetryReduced => SymmetryClasses.Count > 0 || SymmetryRaces.Count > 0;

    /// <summary>Outcomes of the terminal states reached.</summary>
    public required OutcomeSet Outcomes { get; init; }

    /// <summary>Spec expectations that did not hold (empty when all held or none were given).</summary>
    public required IReadOnlyList<string> ExpectationFailures { get; init; }

    /// <summary>True when the exploration covered the whole reachable state space.</summary>
    public bool Exhaustive => Inconclusive is null;

    /// <summary>The kernel profile used.</summary>
    public KernelProfile Profile => Semantics.Profile;

    /// <summary>The mutant used.</summary>
    public KernelMutant Mutant => Semantics.Mutant;
}
