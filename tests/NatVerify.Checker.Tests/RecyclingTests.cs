using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

/// <summary>
/// The engine hands finished states back (<see cref="IStateRecycler{TState}"/>) only in the single-threaded
/// breadth-first search with a packed queue and no reduction, and after that never reads them: no recycled state is
/// expanded, checked, fingerprinted or reported, a terminal state the observer was given is never recycled, and the run
/// explores exactly what it explores without recycling. Without labels to read, it expands with
/// <see cref="IUnlabelledSuccessors{TState, TAction}"/>, and traces still carry labels. Bounds: two counters 0..6.
/// </summary>
public sealed class RecyclingTests
{
    private const int N = 6;

    [Fact]
    public void Breadth_first_search_with_a_packed_queue_recycles_every_expanded_state_and_never_reads_one_again()
    {
        var plainSystem = new BoxedCounters(N);
        var plain = new RecordingObserver<Box, string>();
        CheckResult<Box, string> expected = Checks.Run(plainSystem, new BoxNumbering(), Checks.Bfs, plain, default, plainSystem.Invariant);

        var system = new RecyclingCounters(N);
        var observer = new RecordingObserver<Box, string>();
        CheckResult<Box, string> result = Checks.Run(system, new BoxNumbering(), Checks.Bfs, observer, default, system.Invariant);

        Assert.True(result.Stats.RunFingerprints);
        Assert.Equal(Checks.Untimed(expected.Stats), Checks.Untimed(result.Stats));
        Assert.Equal(plain.Terminals.Select(t => (t.State.A, t.State.B)), observer.Terminals.Select(t => (t.State.A, t.State.B)));

        // Every state but the terminal one was unpacked and expanded, and every transition made a successor: all recycled.
        Assert.Equal(TwoCountersTransitions + (TwoCountersStates - 1), system.Recycled);
        Assert.All(observer.Terminals, t => Assert.False(t.State.Recycled));
        // The search expanded unlabelled; only the trace to the terminal state was rebuilt with labels.
        Trace<Box, string> trace = observer.Terminals.Single().Trace!;
        Assert.Equal(trace.Length, system.LabelledExpansions);
        Assert.All(trace.Steps, s => Assert.StartsWith("Inc", s.Action));
    }

    [Theory]
    [InlineData("two workers")]
    [InlineData("depth-first")]
    [InlineData("reduction")]
    [InlineData("canonical fingerprints")]
    public void Searches_that_keep_states_or_read_labels_recycle_nothing(string mode)
    {
        var system = new RecyclingCounters(N);
        (CheckerOptions options, IStateEncoder<Box> encoder) = mode switch
        {
            "two workers" => (Checks.Bfs with { Workers = 2 }, (IStateEncoder<Box>)new BoxNumbering()),
            "depth-first" => (Checks.Dfs, new BoxNumbering()),
            "reduction" => (Checks.Bfs with { PartialOrderReduction = true, SleepSets = true }, new BoxNumbering()),
            _ => (Checks.Bfs, new BoxNumbering(numbers: false)),
        };

        CheckResult<Box, string> result = Checks.Run(system, encoder, options, null, default, system.Invariant);

        Checks.AssertVerified(result);
        Assert.Equal(mode == "reduction" ? 2 * N + 1 : TwoCountersStates, result.Stats.StatesStored);
        Assert.Equal(0, system.Recycled);
        Assert.Equal(mode == "reduction", system.LabelledExpansions > 0);
    }

    private const long TwoCountersStates = (N + 1L) * (N + 1);

    private const long TwoCountersTransitions = 2L * N * (N + 1);

    /// <summary>A mutable box, so that reading a recycled one can be caught.</summary>
    public sealed class Box(int a, int b)
    {
        public int A { get; } = a;

        public int B { get; } = b;

        public bool Recycled { get; set; }
    }

    /// <summary>Two counters 0..n in boxes; fails the test when a recycled box is expanded or checked.</summary>
    private class BoxedCounters(int n) : IUnlabelledSuccessors<Box, string>, IIndependence<Box, string>
    {
        public IReadOnlyList<Box> InitialStates { get; } = [new Box(0, 0)];

        public int Recycled { get; protected set; }

        public int LabelledExpansions { get; private set; }

        public int ProcessCount => 2;

        public Invariant<Box> Invariant => new("not-recycled", "no recycled box is checked", b => b.Recycled ? "checked a recycled box" : null);

        public void Successors(Box state, List<Transition<Box, string>> sink)
        {
            LabelledExpansions++;
            Expand(state, sink, labels: true);
        }

        public void UnlabelledSuccessors(Box state, List<Transition<Box, string>> sink) => Expand(state, sink, labels: false);

        public int ProcessOf(string action) => action == "IncA" ? 0 : 1;

        public bool IsVisible(Box state, string action) => false;

        public bool CommutesWithFutureOf(Box state, int process, int other) => true;

        public long Progress(Box state) => state.A + state.B;

        private void Expand(Box state, List<Transition<Box, string>> sink, bool labels)
        {
            Assert.False(state.Recycled, "expanded a recycled box");
            if (state.A < n)
            {
                sink.Add(new(labels ? "IncA" : default!, new Box(state.A + 1, state.B)));
            }

            if (state.B < n)
            {
                sink.Add(new(labels ? "IncB" : default!, new Box(state.A, state.B + 1)));
            }
        }
    }

    /// <summary>The same counters, taking finished boxes back.</summary>
    private sealed class RecyclingCounters(int n) : BoxedCounters(n), IStateRecycler<Box>
    {
        public void Recycle(Box state)
        {
            Assert.False(state.Recycled, "recycled twice");
            state.Recycled = true;
            Recycled++;
        }
    }

    /// <summary>Numbers boxes by value; unpacks a fresh box, as a packing encoder does.</summary>
    private sealed class BoxNumbering(bool numbers = true) : IRunFingerprinter<Box>, IStateEncoder<Box>
    {
        private readonly Dictionary<(int, int), int> _ids = [];
        private readonly List<(int A, int B)> _values = [];

        public bool FingerprintsByNumbering => numbers;

        public void Encode(Box state, StateWriter writer)
        {
            Assert.False(state.Recycled, "encoded a recycled box");
            writer.WriteInt32(state.A);
            writer.WriteInt32(state.B);
        }

        public ulong RunFingerprint(Box state, StateWriter packed)
        {
            Assert.False(state.Recycled, "fingerprinted a recycled box");
            int id = Number(state);
            packed.WriteVarUInt64((ulong)id);
            return Fingerprint.Mix((ulong)id + 1);
        }

        public void Pack(Box state, StateWriter writer) => writer.WriteVarUInt64((ulong)Number(state));

        public Box Unpack(ReadOnlySpan<byte> packed)
        {
            (int a, int b) = _values[(int)new StateReader(packed).ReadVarUInt64()];
            return new Box(a, b);
        }

        private int Number(Box state)
        {
            if (!_ids.TryGetValue((state.A, state.B), out int id))
            {
                id = _ids.Count;
                _ids.Add((state.A, state.B), id);
                _values.Add((state.A, state.B));
            }

            return id;
        }
    }
}
