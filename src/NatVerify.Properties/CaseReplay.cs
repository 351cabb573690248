using NatVerify.Checker;
using NatVerify.Checker.Random;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Verification;

namespace NatVerify.Properties;

/// <summary>Runs a generated case's schedule through the model with the engine's schedule replayer.</summary>
public static class CaseReplay
{
    /// <summary>The semantics of a case under the settings' profile and mutant.</summary>
    /// <param name="c">The case.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The semantics.</returns>
    public static NatSemantics Semantics(ScenarioCase c, SuiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(settings);
        return new NatSemantics(c.ToModel(), settings.Profile, settings.Mutant);
    }

    /// <summary>The catalogue's properties as engine invariants.</summary>
    /// <param name="semantics">The semantics the catalogue reads states with.</param>
    /// <param name="ids">Property ids.</param>
    /// <returns>One invariant per id, in order.</returns>
    public static IReadOnlyList<Invariant<NatState>> Invariants(NatSemantics semantics, IEnumerable<string> ids)
    {
        return Verifier.Invariants(semantics, ids);
    }

    /// <summary>Replays the case's schedule, checking the given properties in every state.</summary>
    /// <param name="c">The case.</param>
    /// <param name="settings">Profile, mutant and step limit.</param>
    /// <param name="ids">Property ids to check.</param>
    /// <returns>The replay.</returns>
    public static ReplayResult<NatState, NatStep> Run(ScenarioCase c, SuiteSettings settings, IEnumerable<string> ids)
    {
        var semantics = Semantics(c, settings);
        return ScheduleReplayer.Replay(new ConntrackSystem(semantics), c.Schedule, Invariants(semantics, ids), settings.MaxSteps);
    }

    /// <summary>Counts the context switches of a trace: consecutive steps by different actors.</summary>
    /// <param name="trace">The trace.</param>
    /// <returns>The number of switches.</returns>
    public static int Switches(Trace<NatState, NatStep> trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var switches = 0;
        for (var i = 1; i < trace.Steps.Count; i++)
        {
            if (trace.Steps[i].Action.Actor != trace.Steps[i - 1].Action.Actor)
            {
                switches++;
            }
        }

        return switches;
    }

    /// <summary>The size of a case as a counterexample of <paramref name="id"/>: its replay up to the failure.</summary>
    /// <param name="c">The case.</param>
    /// <param name="settings">The settings.</param>
    /// <param name="id">The property.</param>
    /// <returns>The size.</returns>
    public static CaseSize Measure(ScenarioCase c, SuiteSettings settings, string id)
    {
        var replay = Run(c, settings, [id]);
        return new CaseSize(c.Actors.Count, c.RuleCount, replay.Trace.Length, Switches(replay.Trace));
    }
}
