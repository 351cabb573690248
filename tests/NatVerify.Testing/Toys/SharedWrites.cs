using FsCheck;
using FsCheck.Fluent;
using NatVerify.Checker;

namespace NatVerify.Testing.Toys;

/// <summary>
/// Threads running straight-line programs of private steps (bump the thread's own counter) and shared writes
/// (<c>x := v</c>), with the invariant <c>x != Bad</c>. It declares its independence exactly: private steps are
/// invisible and commute with everything; a write is visible and commutes with another thread only if that thread
/// has no write left. Random programs (with shrinking) test that partial-order reduction never changes a verdict
/// or the set of terminal states.
/// </summary>
/// <param name="Programs">Per thread, its steps: -1 is a private step, v &gt;= 0 writes v to x.</param>
/// <param name="Bad">The value x must never take.</param>
public sealed record SharedWrites(IReadOnlyList<IReadOnlyList<int>> Programs, int Bad)
    : ITransitionSystem<SharedWrites.State, int>, IStateEncoder<SharedWrites.State>, IIndependence<SharedWrites.State, int>
{
    /// <summary>Random programs: 2-3 threads of 0-4 steps, values 0-2, bad value 1 or 2.</summary>
    public static Arbitrary<SharedWrites> Arbitrary { get; } = Arb.From(
        from threads in Gen.Choose(2, 3)
        from programs in Gen.ListOf(Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(Gen.Frequency((2, Gen.Constant(-1)), (1, Gen.Choose(0, 2))), n)), threads)
        from bad in Gen.Choose(1, 2)
        select new SharedWrites(programs.Select(p => (IReadOnlyList<int>)[.. p]).ToList(), bad),
        Shrink);

    /// <inheritdoc />
    public IReadOnlyList<State> InitialStates => [new State(new int[Programs.Count], 0)];

    /// <summary>The invariant x != Bad.</summary>
    public Invariant<State> NotBad => new("not-bad", "x never holds the bad value", s => s.X == Bad ? $"x = {Bad}" : null);

    /// <inheritdoc />
    public int ProcessCount => Programs.Count;

    /// <inheritdoc />
    public void Successors(State state, List<Transition<State, int>> sink)
    {
        for (var t = 0; t < Programs.Count; t++)
        {
            var pc = state.Pcs[t];
            if (pc < Programs[t].Count)
            {
                var pcs = state.Pcs.ToArray();
                pcs[t]++;
                var op = Programs[t][pc];
                sink.Add(new Transition<State, int>(t, new State(pcs, op < 0 ? state.X : op)));
            }
        }
    }

    /// <inheritdoc />
    public void Encode(State state, StateWriter writer)
    {
        foreach (var pc in state.Pcs)
        {
            writer.WriteInt32(pc);
        }

        writer.WriteInt32(state.X);
    }

    /// <inheritdoc />
    public int ProcessOf(int action) => action;

    /// <inheritdoc />
    public bool IsVisible(State state, int action) => Programs[action][state.Pcs[action]] >= 0;

    /// <inheritdoc />
    public bool CommutesWithFutureOf(State state, int process, int other)
    {
        var pc = state.Pcs[process];
        if (pc >= Programs[process].Count || Programs[process][pc] < 0)
        {
            return true;
        }

        return Programs[other].Skip(state.Pcs[other]).All(op => op < 0);
    }

    /// <inheritdoc />
    public long Progress(State state) => state.Pcs.Sum();

    /// <inheritdoc />
    public override string ToString() =>
        $"bad {Bad}: " + string.Join(" | ", Programs.Select(p => string.Join(",", p.Select(op => op < 0 ? "p" : $"x={op}"))));

    private static IEnumerable<SharedWrites> Shrink(SharedWrites s)
    {
        for (var t = 0; t < s.Programs.Count; t++)
        {
            for (var k = 0; k < s.Programs[t].Count; k++)
            {
                var programs = s.Programs.ToList();
                programs[t] = s.Programs[t].Where((_, i) => i != k).ToList();
                yield return s with { Programs = programs };
            }
        }
    }

    /// <summary>Program counters and the shared variable.</summary>
    /// <param name="Pcs">Per thread, the next step.</param>
    /// <param name="X">The shared variable.</param>
    public sealed record State(int[] Pcs, int X)
    {
        /// <inheritdoc />
        public bool Equals(State? other) => other is not null && X == other.X && Pcs.SequenceEqual(other.Pcs);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(X, Pcs.Aggregate(17, (h, p) => (h * 31) + p));

        /// <inheritdoc />
        public override string ToString() => $"[{string.Join(",", Pcs)}] x={X}";
    }
}
