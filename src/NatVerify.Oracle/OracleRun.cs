using NatVerify.Oracle.Comparison;
using NatVerify.Oracle.Kernel;
using NatVerify.Oracle.Planning;

namespace NatVerify.Oracle;

/// <summary>One run on the kernel: the namespaces used, what was observed, and how it compares with the model.</summary>
/// <param name="Number">1-based run number.</param>
/// <param name="Topology">The namespaces of this run.</param>
/// <param name="Observation">What the kernel showed.</param>
/// <param name="Comparison">Agreement, or the differences from the nearest model state.</param>
/// <param name="Elapsed">Wall-clock time of the run, set-up and clean-up included.</param>
public sealed record OracleRun(int Number, TopologyPlan Topology, KernelObservation Observation, ComparisonResult Comparison, TimeSpan Elapsed);
