using BenchmarkDotNet.Attributes;
using NatVerify.Checker;

namespace NatVerify.Benchmarks;

/// <summary>
/// The open-addressing fingerprint set at search-like sizes: 4M adds into a table that grows from empty, each key
/// drawn from 3M values (so about half the adds find the key already there, as successors in a search often do),
/// with and without prefetching slots in batches of 64.
/// </summary>
public class FingerprintSetBenchmarks
{
    private const int Operations = 1 << 22;
    private ulong[] _keys = [];

    [Params(1 << 22)]
    public int Distinct { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Keys drawn at random from 3/4 of Distinct values: repeats are spread over the whole run.
        var random = new Random(20240607);
        _keys = new ulong[Operations];
        for (int i = 0; i < Operations; i++)
        {
            ulong k = (ulong)random.Next(Distinct * 3 / 4) + 1;
            _keys[i] = Fingerprint.Mix(k) | 1;
        }
    }

    [Benchmark(OperationsPerInvoke = Operations, Baseline = true)]
    public long Add()
    {
        var set = new FingerprintSet(1024);
        foreach (ulong key in _keys)
        {
            set.Add(key);
        }

        return set.Count;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public long AddWithPrefetch()
    {
        var set = new FingerprintSet(1024);
        ulong[] keys = _keys;
        for (int start = 0; start < keys.Length; start += 64)
        {
            int end = Math.Min(start + 64, keys.Length);
            for (int i = start; i < end; i++)
            {
                set.Prefetch(keys[i]);
            }

            for (int i = start; i < end; i++)
            {
                set.Add(keys[i]);
            }
        }

        return set.Count;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public long Contains()
    {
        var set = new FingerprintSet(Distinct * 2);
        foreach (ulong key in _keys)
        {
            set.Add(key);
        }

        long hits = 0;
        foreach (ulong key in _keys)
        {
            hits += set.Contains(key ^ 2) ? 1 : 0;
        }

        return hits;
    }
}
