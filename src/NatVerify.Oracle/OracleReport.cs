using NatVerify.Oracle.Model;
using NatVerify.Oracle.Planning;
using NatVerify.Specs;

namespace NatVerify.Oracle;

/// <summary>Everything an oracle invocation found: the model's predictions, the schedule driven and each run.</summary>
/// <param name="Spec">The scenario.</param>
/// <param name="Model">The model's side.</param>
/// <param name="Schedule">The steps each run drove.</param>
/// <param name="Runs">The runs.</param>
/// <param name="Seed">The seed of the oracle's random choices.</param>
/// <param name="KernelRelease">The running kernel's release (<c>uname -r</c>).</param>
public sealed record OracleReport(
    ScenarioSpec Spec, ModelPredictions Model, IReadOnlyList<OracleStep> Schedule, IReadOnlyList<OracleRun> Runs, int Seed, string KernelRelease)
{
    /// <summary>True when every run agreed with the model.</summary>
    public bool AllAgree => Runs.Count > 0 && Runs.All(r => r.Comparison.Agree);

    /// <summary>How many runs agreed.</summary>
    public int Agreed => Runs.Count(r => r.Comparison.Agree);
}
