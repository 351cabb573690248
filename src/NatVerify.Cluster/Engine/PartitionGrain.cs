using Microsoft.Extensions.Logging;
using NatVerify.Checker;

namespace NatVerify.Cluster;

/// <summary>
/// The partition grain (see <see cref="IPartitionGrain"/> and docs/distributed.md). All state is in memory: a silo
/// that dies takes its partitions with it, and the run ends inconclusive.
/// </summary>
[PartitionPlacement]
internal sealed class PartitionGrain(IEnumerable<IPartitionModelFactory> factories, ILogger<PartitionGrain> logger) : Grain, IPartitionGrain
{
    // A batch is sent at 2,048 states or 64 KiB of encodings, whichever comes first: the message's arrays then stay
    // below the large-object-heap threshold (85,000 bytes), so sending and receiving them costs gen-0 garbage only,
    // not the gen-2 collections large arrays bring (measured in docs/distributed.md).
    private const int BatchStates = 2048;
    private const int BatchBytes = 64 * 1024;
    private const int MaxInFlight = 16;

    // Expansion gives its activation back at least this often: a level whose successors all stay in this partition
    // never awaits a send, and a turn of seconds blocks Receive and Poll and makes Orleans warn about a long turn.
    private static readonly TimeSpan TurnSlice = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<ulong, (ulong Parent, int Ordinal)> _visited = [];
    private readonly List<(int Invariant, string Message)> _failures = [];
    private Guid _run;
    private int _partitions;
    private int _index;
    private IPartitionModel? _model;
    private EncodedStates _frontier = new();
    private EncodedStates _next = new();
    private int _level;
    private ViolationReport?[] _violations = [];
    private Dictionary<string, TerminalReport> _terminals = [];
    private long _transitions;
    private long _terminalCount;
    private long _batchesSent;
    private long _bytesSent;
    private long _statesSent;
    private Task? _expansion;
    private bool _cut;
    private long _expanded;

    public Task<string> Init(Guid run, int partitions, ModelJob job)
    {
        var factory = factories.FirstOrDefault(f => f.Kind == job.Kind)
            ?? throw new InvalidOperationException($"This silo has no model factory for '{job.Kind}'.");
        _model = factory.Create(job.Payload);
        _run = run;
        _partitions = partitions;
        _index = (int)this.GetPrimaryKeyLong();
        _visited.Clear();
        _frontier = new EncodedStates();
        _next = new EncodedStates();
        _level = 0;
        _violations = new ViolationReport?[_model.InvariantCount];
        _terminals = [];
        _transitions = _terminalCount = _batchesSent = _bytesSent = _statesSent = _expanded = 0;
        _expansion = null;
        _cut = false;

        // Idle collection would silently drop the visited set between two levels of a slow run.
        DelayDeactivation(TimeSpan.FromDays(7));
        return Task.FromResult(RuntimeIdentity);
    }

    public Task<LevelReport> Seed(Guid run)
    {
        var model = Model(run);
        var writer = new StateWriter();
        var count = model.EncodeInitial(0, writer);
        for (var i = 0; i < count; i++)
        {
            model.EncodeInitial(i, writer);
            var fp = Fingerprint.Of(writer.Written);
            if (Owner(fp) == _index)
            {
                Store(writer.Written, fp, 0, i, 0);
            }
        }

        return Advance(run);
    }

    public Task StartExpand(Guid run, int level, DateTime deadlineUtc)
    {
        var model = Model(run);
        if (_expansion is { IsCompleted: false })
        {
            throw new InvalidOperationException($"Partition {_index} is already expanding.");
        }

        _cut = false;
        _expanded = 0;
        _level = level;

        // Runs on this activation's scheduler: its turns interleave with Receive only at its awaits, never in parallel.
        _expansion = ExpandLevel(model, deadlineUtc);
        return Task.CompletedTask;
    }

    public Task<ExpandStatus> Poll(Guid run)
    {
        Model(run);
        var task = _expansion;
        if (task is null)
        {
            return Task.FromResult(new ExpandStatus(true, false, null, 0));
        }

        if (!task.IsCompleted)
        {
            return Task.FromResult(new ExpandStatus(false, false, null, _expanded));
        }

        var error = task.Exception?.GetBaseException() is { } e ? $"{e.GetType().Name}: {e.Message}" : null;
        return Task.FromResult(new ExpandStatus(true, _cut, error, _expanded));
    }

    public Task Receive(Guid run, int depth, StateBatch batch)
    {
        Model(run);
        var start = 0;
        for (var i = 0; i < batch.Ends.Length; i++)
        {
            var state = batch.Data.AsSpan(start, batch.Ends[i] - start);
            start = batch.Ends[i];
            Store(state, batch.Fingerprints[i], batch.Parents[i], batch.Ordinals[i], depth);
        }

        return Task.CompletedTask;
    }

    public Task<LevelReport> Advance(Guid run)
    {
        Model(run);
        if (_expansion is { IsCompleted: false })
        {
            throw new InvalidOperationException($"Partition {_index} got the level barrier while still expanding.");
        }

        (_frontier, _next) = (_next, _frontier);
        _next.Clear();

        // The table estimate: a Dictionary entry of (key, parent, ordinal) plus hash and next index, with its buckets.
        var table = ((long)_visited.Count * (8 + 8 + 4 + 4 + 4 + 4)) + _frontier.Capacity + _next.Capacity;
        return Task.FromResult(new LevelReport(
            _visited.Count, _frontier.Count, _transitions, _terminalCount, _violations.Count(v => v is not null),
            _batchesSent, _bytesSent, _statesSent, GC.GetTotalMemory(false), table, RuntimeIdentity));
    }

    public Task<ParentLink> ParentOf(Guid run, ulong state)
    {
        Model(run);
        return Task.FromResult(_visited.TryGetValue(state, out var link)
            ? new ParentLink(true, link.Parent == 0, link.Parent, link.Ordinal)
            : new ParentLink(false, false, 0, 0));
    }

    public Task<PartitionSummary> Summary(Guid run)
    {
        Model(run);
        return Task.FromResult(new PartitionSummary(
            _violations.Where(v => v is not null).Select(v => v!).ToArray(),
            [.. _terminals.Values]));
    }

    public Task Release(Guid run)
    {
        if (_run == run)
        {
            _model = null;
            _visited.Clear();
            _visited.TrimExcess();
            _frontier = new EncodedStates();
            _next = new EncodedStates();
            _run = Guid.Empty;
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    private IPartitionModel Model(Guid run)
    {
        if (_run != run || _model is null)
        {
            throw new PartitionLostException(
                $"partition {(int)this.GetPrimaryKeyLong()} on {RuntimeIdentity} holds no state of run {run} (its silo was restarted or failed, or it was deactivated)");
        }

        return _model;
    }

    private int Owner(ulong fingerprint) => (int)(fingerprint % (ulong)_partitions);

    /// <summary>
    /// Stores a state not seen before: parent link, invariant check, next frontier. Parent 0 (never a fingerprint)
    /// marks an initial state, whose ordinal is its index among the initial states.
    /// </summary>
    private void Store(ReadOnlySpan<byte> state, ulong fingerprint, ulong parent, int ordinal, int depth)
    {
        if (!_visited.TryAdd(fingerprint, (parent, ordinal)))
        {
            return;
        }

        _next.Add(state, fingerprint, parent, ordinal);
        _failures.Clear();
        _model!.Check(state, _failures);
        foreach (var (invariant, message) in _failures)
        {
            _violations[invariant] ??= new ViolationReport(invariant, message, fingerprint, depth);
        }
    }

    private async Task ExpandLevel(IPartitionModel model, DateTime deadlineUtc)
    {
        var outgoing = new EncodedStates[_partitions];
        for (var p = 0; p < outgoing.Length; p++)
        {
            outgoing[p] = new EncodedStates();
        }

        var sink = new RoutingSink(this, outgoing);
        var inFlight = new List<Task>();
        var frontier = _frontier;
        var turnStarted = Environment.TickCount64;
        for (var i = 0; i < frontier.Count; i++)
        {
            if ((i & 255) == 0)
            {
                if (DateTime.UtcNow >= deadlineUtc)
                {
                    _cut = true;
                    break;
                }

                if (Environment.TickCount64 - turnStarted >= (long)TurnSlice.TotalMilliseconds)
                {
                    // Task.Yield continues on this activation's scheduler, so Receive runs between two turns,
                    // never in parallel with this loop (the same interleaving as at the sends' awaits).
                    await Task.Yield();
                    turnStarted = Environment.TickCount64;
                }
            }

            var fp = frontier.Fingerprint(i);
            var count = model.Expand(frontier.State(i), fp, sink, out var label);
            _expanded++;
            _transitions += count;
            if (count == 0)
            {
                _terminalCount++;
                if (_terminals.TryGetValue(label!, out var known))
                {
                    _terminals[label!] = known with { Count = known.Count + 1 };
                }
                else
                {
                    _terminals[label!] = new TerminalReport(label!, 1, fp, _level);
                }
            }

            for (var p = 0; p < outgoing.Length; p++)
            {
                if (outgoing[p].Count >= BatchStates || outgoing[p].ByteCount >= BatchBytes)
                {
                    inFlight.Add(Send(p, outgoing[p].Drain()));
                }
            }

            if (inFlight.Count >= MaxInFlight)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }

        for (var p = 0; p < outgoing.Length; p++)
        {
            if (outgoing[p].Count > 0)
            {
                inFlight.Add(Send(p, outgoing[p].Drain()));
            }
        }

        await Task.WhenAll(inFlight);
        logger.LogDebug("Partition {Index} expanded {Count} states at level {Level}", _index, _expanded, _level);
    }

    private Task Send(int partition, StateBatch batch)
    {
        _batchesSent++;
        _statesSent += batch.Ends.Length;
        _bytesSent += batch.Data.Length + (batch.Ends.Length * (4L + 8 + 8 + 4));
        return GrainFactory.GetGrain<IPartitionGrain>(partition).Receive(_run, _level + 1, batch);
    }

    /// <summary>Keeps successors this partition owns (no message) and buffers the rest per owner.</summary>
    private sealed class RoutingSink(PartitionGrain owner, EncodedStates[] outgoing) : EncodedStatesSink
    {
        public override void Add(ReadOnlySpan<byte> state, ulong fingerprint, ulong parent, int ordinal)
        {
            var p = owner.Owner(fingerprint);
            if (p == owner._index)
            {
                owner.Store(state, fingerprint, parent, ordinal, owner._level + 1);
            }
            else
            {
                outgoing[p].Add(state, fingerprint, parent, ordinal);
            }
        }
    }
}
