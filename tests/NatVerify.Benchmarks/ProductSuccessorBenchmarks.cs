using BenchmarkDotNet.Attributes;
using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Benchmarks;

/// <summary>
/// The product model's hot path per state, on the first 4,096 breadth-first states of
/// <c>specs/scale/three-seed-races.yaml</c> (run from the repository root): successor generation as the search does it
/// (no diagnostics), the canonical encoding and fingerprint of each successor, the packed queue round trip, and the
/// footprints partial-order reduction computes.
/// </summary>
[MemoryDiagnoser]
public class ProductSuccessorBenchmarks
{
    private const int Count = 4096;
    private readonly List<Transition<NatState, NatStep>> _sink = new(64);
    private readonly StateWriter _writer = new(512);
    private readonly Footprint _footprint = new();
    private ConntrackSystem _system = null!;
    private NatStateEncoder _encoder = null!;
    private NatState[] _states = [];

    [GlobalSetup]
    public void Setup()
    {
        ScenarioSpec spec = SpecLoader.LoadFile(Path.Combine("specs", "scale", "three-seed-races.yaml"));
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        _system = new ConntrackSystem(semantics) { GhostQuotient = true };
        _encoder = new NatStateEncoder();
        _states = SampleStates.Collect(_system, Count);
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int SearchSuccessors()
    {
        int total = 0;
        foreach (NatState state in _states)
        {
            _sink.Clear();
            _system.SearchSuccessors(state, _sink);
            total += _sink.Count;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public ulong EncodeAndFingerprint()
    {
        ulong x = 0;
        foreach (NatState state in _states)
        {
            _writer.Reset();
            _encoder.Encode(state, _writer);
            x ^= Fingerprint.XxHash64(_writer.Written);
        }

        return x;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int PackAndUnpack()
    {
        int total = 0;
        foreach (NatState state in _states)
        {
            _writer.Reset();
            _encoder.Pack(state, _writer);
            total += _encoder.Unpack(_writer.Written).Count;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int Footprints()
    {
        int total = 0;
        foreach (NatState state in _states)
        {
            _sink.Clear();
            _system.SearchSuccessors(state, _sink);
            foreach (Transition<NatState, NatStep> t in _sink)
            {
                _footprint.Clear();
                _system.StepFootprint(state, t.Action, _footprint);
                total += _footprint.ReadCount;
            }

            for (int p = 0; p < _system.ProcessCount; p++)
            {
                _footprint.Clear();
                _system.FutureFootprint(state, p, _footprint);
                total += _footprint.WriteCount;
            }
        }

        return total;
    }
}
