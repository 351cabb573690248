using BenchmarkDotNet.Attributes;
using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Benchmarks;

/// <summary>Successor generation of the reference model: all enabled steps of 4,096 reachable states of N8_K8_nd.</summary>
[MemoryDiagnoser]
public class SuccessorBenchmarks
{
    private readonly List<Transition<ulong, RefStep>> _sink = new(64);
    private RefModel _model = null!;
    private ulong[] _states = [];

    [GlobalSetup]
    public void Setup()
    {
        _model = new RefModel(RefVariant.Parse("N8_K8_nd"));
        _states = SampleStates.Collect(_model, 4096);
    }

    [Benchmark(OperationsPerInvoke = 4096)]
    public int Successors()
    {
        int total = 0;
        foreach (ulong state in _states)
        {
            _sink.Clear();
            _model.Successors(state, _sink);
            total += _sink.Count;
        }

        return total;
    }
}
