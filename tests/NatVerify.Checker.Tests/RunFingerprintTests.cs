using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// The engine uses an encoder's run-numbered fingerprints (<see cref="IRunFingerprinter{TState}"/>) only in the
/// single-threaded breadth-first search, where it explores exactly what canonical-byte fingerprints explore and a new
/// state is queued from the bytes packed while fingerprinting (never packed again). With two workers, depth-first
/// search, or an instance that declines (<see cref="IRunFingerprinter{TState}.FingerprintsByNumbering"/> false) the
/// fingerprinter is never asked and the canonical bytes are hashed.
/// </summary>
public sealed class RunFingerprintTests
{
    [Fact]
    public void Sequential_breadth_first_search_fingerprints_by_the_run_numbering()
    {
        var system = new TwoCounters(6);
        var plain = new RecordingObserver<(int A, int B), string>();
        var numbered = new RecordingObserver<(int A, int B), string>();
        var encoder = new NumberingEncoder(system, numbers: true);
        CheckResult<(int A, int B), string> canonical = Checks.Run(system, system, Checks.Bfs, plain);
        CheckResult<(int A, int B), string> run = Checks.Run(system, encoder, Checks.Bfs, numbered);

        Assert.True(run.Stats.RunFingerprints);
        Assert.False(canonical.Stats.RunFingerprints);
        Assert.Equal(Checks.Untimed(canonical.Stats), Checks.Untimed(run.Stats) with { RunFingerprints = false, PeakFrontierBytes = 0 });
        Assert.Equal(plain.Terminals.Select(t => t.State), numbered.Terminals.Select(t => t.State));
        foreach (((int A, int B) state, Trace<(int A, int B), string>? trace) in numbered.Terminals)
        {
            Assert.Equal(state, TraceReplay.FinalState(system, trace!));
        }

        Assert.Equal(0, encoder.Encoded);
        Assert.True(encoder.Fingerprinted >= TwoCounters.StateCount(6));
        Assert.Equal(0, encoder.Packed);
        Assert.Equal(TwoCounters.StateCount(6), encoder.Unpacked);
    }

    [Fact]
    public void Two_workers_depth_first_search_and_a_declining_encoder_hash_the_canonical_bytes()
    {
        var system = new TwoCounters(6);
        foreach ((CheckerOptions options, bool numbers) in new[] { (Checks.Bfs with { Workers = 2 }, true), (Checks.Dfs, true), (Checks.Bfs, false) })
        {
            var encoder = new NumberingEncoder(system, numbers);
            CheckResult<(int A, int B), string> result = Checks.Run(system, encoder, options);
            Assert.Equal(TwoCounters.StateCount(6), result.Stats.StatesStored);
            Assert.False(result.Stats.RunFingerprints);
            Assert.Equal(0, encoder.Fingerprinted);
            Assert.True(encoder.Encoded > 0);
        }
    }

    /// <summary>Numbers whole states by first use; packs a state as its number; fingerprints by the number.</summary>
    private sealed class NumberingEncoder(IStateEncoder<(int A, int B)> inner, bool numbers) : IRunFingerprinter<(int A, int B)>, IStateEncoder<(int A, int B)>
    {
        private readonly Dictionary<(int A, int B), int> _ids = [];
        private readonly List<(int A, int B)> _states = [];

        public int Encoded { get; private set; }

        public int Fingerprinted { get; private set; }

        public int Packed { get; private set; }

        public int Unpacked { get; private set; }

        public bool FingerprintsByNumbering => numbers;

        public void Encode((int A, int B) state, StateWriter writer)
        {
            Encoded++;
            inner.Encode(state, writer);
        }

        public ulong RunFingerprint((int A, int B) state, StateWriter packed)
        {
            Fingerprinted++;
            Assert.True(numbers);
            int id = Number(state);
            packed.WriteVarUInt64((ulong)id);

            return Fingerprint.Mix((ulong)id + 1);
        }

        public void Pack((int A, int B) state, StateWriter writer)
        {
            Packed++;
            writer.WriteVarUInt64((ulong)Number(state));
        }

        public (int A, int B) Unpack(ReadOnlySpan<byte> packed)
        {
            Unpacked++;
            return _states[(int)new StateReader(packed).ReadVarUInt64()];
        }

        private int Number((int A, int B) state)
        {
            if (!_ids.TryGetValue(state, out int id))
            {
                id = _ids.Count;
                _ids.Add(state, id);
                _states.Add(state);
            }

            return id;
        }
    }
}
