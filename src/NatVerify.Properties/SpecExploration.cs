using NatVerify.Checker.Random;
using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Properties;

/// <summary>
/// Random exploration of a spec's own scenario with the engine's random mode (for specs too large to exhaust), and
/// replay of a schedule on it.
/// </summary>
public static class SpecExploration
{
    /// <summary>Samples schedules of the spec, checking the properties in every state; the first failure is shrunk.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="profile">The kernel profile.</param>
    /// <param name="mutant">The mutant.</param>
    /// <param name="properties">Property ids to check.</param>
    /// <param name="options">Seed, strategy, budgets.</param>
    /// <param name="progress">Progress reports.</param>
    /// <param name="cancellationToken">Stops the sampling between schedules (the result says it was cancelled).</param>
    /// <returns>The semantics explored and the result.</returns>
    public static (NatSemantics Semantics, RandomResult<NatState, NatStep> Result) Explore(
        ScenarioSpec spec, KernelProfile profile, KernelMutant mutant, IReadOnlyList<string> properties, RandomOptions options,
        Action<RandomStats>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var semantics = new NatSemantics(spec.Model, profile, mutant);
        var explorer = new RandomExplorer<NatState, NatStep>(
            new ConntrackSystem(semantics), CaseReplay.Invariants(semantics, properties), options, step => step.Actor);
        return (semantics, explorer.Run(progress, cancellationToken));
    }

    /// <summary>Replays a schedule on the spec, checking the properties in every state.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="profile">The kernel profile.</param>
    /// <param name="mutant">The mutant.</param>
    /// <param name="properties">Property ids to check.</param>
    /// <param name="schedule">The choices.</param>
    /// <param name="maxSteps">The step limit.</param>
    /// <returns>The semantics and the replay.</returns>
    public static (NatSemantics Semantics, ReplayResult<NatState, NatStep> Result) Replay(
        ScenarioSpec spec, KernelProfile profile, KernelMutant mutant, IReadOnlyList<string> properties, ChoiceSchedule schedule, int maxSteps = 10_000)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var semantics = new NatSemantics(spec.Model, profile, mutant);
        var result = ScheduleReplayer.Replay(new ConntrackSystem(semantics), schedule, CaseReplay.Invariants(semantics, properties), maxSteps);
        return (semantics, result);
    }
}
