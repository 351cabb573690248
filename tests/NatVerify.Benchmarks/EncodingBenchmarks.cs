using BenchmarkDotNet.Attributes;
using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Benchmarks;

/// <summary>
/// Canonical encoding and fingerprinting per state: the compact 64-bit path (a bijective mix of the packed state),
/// the generic byte path (StateWriter + XXH64), and the symmetry canonicaliser of the nondeterministic variant.
/// </summary>
public class EncodingBenchmarks
{
    private readonly StateWriter _writer = new();
    private RefModel _model = null!;
    private RefSymmetry _symmetry = null!;
    private ulong[] _states = [];

    [GlobalSetup]
    public void Setup()
    {
        _model = new RefModel(RefVariant.Parse("N8_K8_nd"));
        _symmetry = new RefSymmetry(_model);
        _states = SampleStates.Collect(_model, 4096);
    }

    [Benchmark(OperationsPerInvoke = 4096, Baseline = true)]
    public ulong CompactMix()
    {
        ulong acc = 0;
        foreach (ulong state in _states)
        {
            acc ^= Fingerprint.Mix(_model.EncodeCompact(state));
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = 4096)]
    public ulong BytesXxHash64()
    {
        ulong acc = 0;
        foreach (ulong state in _states)
        {
            _writer.Reset();
            _model.Encode(state, _writer);
            acc ^= Fingerprint.Of(_writer.Written);
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = 4096)]
    public ulong SymmetryCanonicalMix()
    {
        ulong acc = 0;
        foreach (ulong state in _states)
        {
            acc ^= Fingerprint.Mix(_symmetry.EncodeCompact(state));
        }

        return acc;
    }
}
