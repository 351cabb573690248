using BenchmarkDotNet.Attributes;
using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Benchmarks;

/// <summary>Whole explorations of N6_K8_nd_inj (483,809 states unreduced): one and two workers, and with reduction.</summary>
public class ExplorationBenchmarks
{
    private RefModel _model = null!;

    [GlobalSetup]
    public void Setup() => _model = new RefModel(RefVariant.Parse("N6_K8_nd_inj"));

    [Benchmark(Baseline = true)]
    public long Unreduced() => Run(new CheckerOptions(), _model);

    [Benchmark]
    public long UnreducedTwoWorkers() => Run(new CheckerOptions { Workers = 2 }, _model);

    [Benchmark]
    public long PartialOrder() => Run(new CheckerOptions { PartialOrderReduction = true }, _model);

    [Benchmark]
    public long PartialOrderAndSymmetry() => Run(new CheckerOptions { PartialOrderReduction = true }, new RefSymmetry(_model));

    private long Run(CheckerOptions options, IStateEncoder<ulong> encoder)
    {
        var checker = new ModelChecker<ulong, RefStep>(_model, encoder, [_model.TupleUniqueness], options);
        return checker.Run().Stats.StatesStored;
    }
}
