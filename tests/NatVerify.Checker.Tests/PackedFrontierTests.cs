using NatVerify.Checker;
using NatVerify.Checker.Tests.Systems;

namespace NatVerify.Checker.Tests;

/// <summary>
/// Breadth-first search with an <see cref="IStatePacker{TState}"/> encoder queues packed bytes instead of states and
/// must explore exactly what it explores with states queued as objects: same counts, terminal states in the same order,
/// same traces, with one and two workers; packed records of every size (including ones larger than a queue chunk and
/// ones that do not fit the rest of a chunk) come back in order.
/// </summary>
public sealed class PackedFrontierTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Packed_frontier_explores_exactly_what_the_object_frontier_explores(int workers)
    {
        var system = new BinaryTree(9);
        var plain = new RecordingObserver<(int Bits, int Length), string>();
        var packed = new RecordingObserver<(int Bits, int Length), string>();
        var packer = new PaddedPacker<(int Bits, int Length)>(system, s => s.Bits % 3 * 1000, s => [s.Bits, s.Length], v => ((int)v[0], (int)v[1]));
        CheckerOptions options = Checks.Bfs with { Workers = workers };
        CheckResult<(int Bits, int Length), string> one = Checks.Run(system, system, options, plain);
        CheckResult<(int Bits, int Length), string> two = Checks.Run(system, packer, options, packed);
        Assert.Equal(Checks.Untimed(one.Stats) with { PeakFrontierBytes = 0 }, Checks.Untimed(two.Stats) with { PeakFrontierBytes = 0 });
        Assert.Equal(0, one.Stats.PeakFrontierBytes);
        Assert.True(two.Stats.PeakFrontierBytes > 0);
        Assert.Equal(plain.Terminals.Select(t => t.State), packed.Terminals.Select(t => t.State));
        Assert.True(packer.Unpacked > 0);
        foreach (((int Bits, int Length) state, Trace<(int Bits, int Length), string>? trace) in packed.Terminals)
        {
            Assert.Equal(state, TraceReplay.FinalState(system, trace!));
        }
    }

    [Fact]
    public void Records_larger_than_a_chunk_and_records_at_chunk_ends_come_back_in_order()
    {
        // Paddings of up to 2.4 MB (a chunk is 1 MiB) cross every chunk boundary case; the packer checks each
        // unpacked padding byte for byte.
        var system = new TwoCounters(6);
        var packer = new PaddedPacker<(int A, int B)>(system, s => ((s.A * 7) + s.B) % 9 * 300_000, s => [s.A, s.B], v => ((int)v[0], (int)v[1]));
        CheckResult<(int A, int B), string> result = Checks.Run(system, packer, Checks.Bfs);
        Checks.AssertVerified(result);
        Assert.Equal(TwoCounters.StateCount(6), result.Stats.StatesStored);
        Assert.Equal(TwoCounters.TransitionCount(6), result.Stats.Transitions);
        Assert.Equal(TwoCounters.StateCount(6), packer.Unpacked); // every stored state, the initial one too, waits in the queue once
    }

    [Fact]
    public void Depth_first_search_and_compact_encoders_keep_states_as_objects()
    {
        var system = new TwoCounters(4);
        var packer = new PaddedPacker<(int A, int B)>(system, _ => 0, s => [s.A, s.B], v => ((int)v[0], (int)v[1]));
        CheckResult<(int A, int B), string> dfs = Checks.Run(system, packer, Checks.Dfs);
        Assert.Equal(TwoCounters.StateCount(4), dfs.Stats.StatesStored);
        Assert.Equal(0, packer.Unpacked);
        Assert.Equal(0, dfs.Stats.PeakFrontierBytes);
    }

    /// <summary>Packs a state as varints plus a state-dependent padding of a known byte pattern.</summary>
    private sealed class PaddedPacker<TState>(
        IStateEncoder<TState> inner, Func<TState, int> padding, Func<TState, long[]> fields, Func<long[], TState> build)
        : IStateEncoder<TState>, IStatePacker<TState>
    {
        public int Unpacked { get; private set; }

        public void Encode(TState state, StateWriter writer) => inner.Encode(state, writer);

        public void Pack(TState state, StateWriter writer)
        {
            long[] values = fields(state);
            writer.WriteVarUInt64((ulong)values.Length);
            foreach (long v in values)
            {
                writer.WriteVarUInt64((ulong)v);
            }

            int pad = padding(state);
            writer.WriteVarUInt64((ulong)pad);
            for (int i = 0; i < pad; i++)
            {
                writer.WriteByte((byte)(i * 31));
            }
        }

        public TState Unpack(ReadOnlySpan<byte> packed)
        {
            var reader = new StateReader(packed);
            var values = new long[(int)reader.ReadVarUInt64()];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (long)reader.ReadVarUInt64();
            }

            TState state = build(values);
            int pad = (int)reader.ReadVarUInt64();
            Assert.Equal(padding(state), pad);
            for (int i = 0; i < pad; i++)
            {
                if (reader.ReadByte() != (byte)(i * 31))
                {
                    Assert.Fail($"padding byte {i} of a packed state came back wrong");
                }
            }

            Assert.True(reader.AtEnd);
            Unpacked++;
            return state;
        }
    }
}
