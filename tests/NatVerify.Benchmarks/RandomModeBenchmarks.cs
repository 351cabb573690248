using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using NatVerify.Checker;
using NatVerify.Checker.Random;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Benchmarks;

/// <summary>
/// Random exploration mode (issue 6) on the seed race spec (specs/seed/race-unconstrained.yaml, real kernel, every
/// catalogue property checked in every state): one operation is one schedule, so the reported mean is the time per
/// schedule and 1 s / mean is schedules per second. Run: <c>natverify-bench bench --filter *RandomMode* --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
public class RandomModeBenchmarks
{
    private const int Schedules = 2000;

    private ConntrackSystem _system = null!;
    private IReadOnlyList<Invariant<NatState>> _invariants = null!;

    /// <summary>Random walks or PCT (depth 3).</summary>
    [Params(RandomStrategy.RandomWalk, RandomStrategy.Pct)]
    public RandomStrategy Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var spec = SpecLoader.LoadFile(SeedRacePath());
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var catalog = new PropertyCatalog(semantics);
        _system = new ConntrackSystem(semantics);
        _invariants = PropertyIds.All.Select(id => new Invariant<NatState>(id, id, s => catalog.Check(id, s))).ToList();
    }

    /// <summary>Runs <see cref="Schedules"/> seeded schedules; returns the steps taken so nothing is optimised away.</summary>
    [Benchmark(OperationsPerInvoke = Schedules)]
    public long Schedule()
    {
        var options = new RandomOptions { Seed = 42, Strategy = Strategy, MaxSchedules = Schedules };
        var result = new RandomExplorer<NatState, NatStep>(_system, _invariants, options, step => step.Actor).Run();
        if (result.Violation is not null)
        {
            throw new InvalidOperationException("the real kernel violated a property on the seed race: the benchmark measures nothing meaningful");
        }

        return result.Stats.Steps;
    }

    private static string SeedRacePath([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "specs", "seed", "race-unconstrained.yaml"));
}
