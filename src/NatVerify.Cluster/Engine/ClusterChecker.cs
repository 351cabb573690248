using System.Diagnostics;
using NatVerify.Checker;

namespace NatVerify.Cluster;

/// <summary>Terminal states of one class: how many were reached and a shortest path to one of them.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public sealed record TerminalClass<TState, TAction>(string Label, long Count, Trace<TState, TAction> Witness);

/// <summary>What the cluster did: partitions, where they ran, and the messages exchanged.</summary>
/// <param name="Partitions">The number of partitions.</param>
/// <param name="SiloOfPartition">The silo that hosted each partition.</param>
/// <param name="Levels">The number of breadth-first levels expanded (level barriers passed).</param>
/// <param name="BatchesSent">Successor batches sent between partitions (states a partition owns itself are not sent).</param>
/// <param name="StatesSent">Successor states carried by those batches.</param>
/// <param name="BytesSent">Payload bytes of those batches (encodings, fingerprints, parents, ordinals; without Orleans framing).</param>
/// <param name="MaxHeapBytes">The largest managed heap a partition's silo reported at a level barrier.</param>
/// <param name="TableBytes">Estimated bytes of the partitions' visited tables and frontiers.</param>
public sealed record ClusterRunStats(
    int Partitions, IReadOnlyList<string> SiloOfPartition, int Levels, long BatchesSent, long StatesSent, long BytesSent, long MaxHeapBytes, long TableBytes)
{
    /// <summary>Gets the number of distinct silos that hosted partitions.</summary>
    public int Silos => SiloOfPartition.Distinct().Count();
}

/// <summary>The outcome of a distributed run.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public sealed record ClusterCheckResult<TState, TAction>(
    CheckResult<TState, TAction> Result, IReadOnlyList<TerminalClass<TState, TAction>> Terminals, ClusterRunStats Cluster)
{
    /// <summary>Gets the partition whose failure ended the run (<see cref="BoundKind.NodeLost"/>), when one partition was to blame.</summary>
    public int? LostPartition { get; init; }
}

/// <summary>A call on one partition failed: the partition's index and the cause (the coordinator's own bookkeeping, never sent).</summary>
internal sealed class PartitionFailure(int partition, Exception cause) : Exception($"partition {partition}: {cause.Message}", cause)
{
    /// <summary>Gets the partition index.</summary>
    public int Partition { get; } = partition;
}

/// <summary>
/// The coordinator of a distributed, level-synchronous breadth-first search over <see cref="IPartitionGrain"/>s
/// (docs/distributed.md). Each level: every partition expands its frontier and sends successors to their owners;
/// a partition reports done only when every batch it sent was acknowledged, so when all report done no batch is in
/// flight, and the barrier (<see cref="IPartitionGrain.Advance"/>) makes the states received the next frontier. The
/// run ends when all frontiers are empty. Counts, verdicts and counterexample lengths equal the single-machine
/// breadth-first search without partial-order reduction.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="grains">The cluster client (or a silo's grain factory).</param>
/// <param name="model">The same model the partitions load, used here to replay counterexamples.</param>
/// <param name="job">What each partition loads.</param>
/// <param name="options">Bounds: <see cref="CheckerOptions.MaxStates"/>, <see cref="CheckerOptions.MaxDepth"/>,
/// <see cref="CheckerOptions.MaxMemoryBytes"/> (per silo), <see cref="CheckerOptions.Timeout"/>, <see cref="CheckerOptions.StopAtFirstViolation"/>; partial-order
/// reduction and sleep sets are refused (the partitions expand every successor).</param>
/// <param name="partitions">The number of partitions (at least 1).</param>
/// <param name="progress">Receives a snapshot after each level.</param>
public sealed class ClusterChecker<TState, TAction>(
    IGrainFactory grains,
    ClusterModel<TState, TAction> model,
    ModelJob job,
    CheckerOptions options,
    int partitions,
    Action<ExplorationStats>? progress = null)
{
    /// <summary>Gets or sets how often the coordinator polls partitions during a level.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Gets the silo hosting each partition, known once the partitions loaded the model (empty before).</summary>
    public IReadOnlyList<string> SiloOfPartition { get; private set; } = [];

    /// <summary>
    /// Runs the search. A partition that fails or loses its state ends the run as <see cref="Inconclusive{TState, TAction}"/>
    /// (bound <see cref="BoundKind.NodeLost"/>, the detail naming the partition, its silo and the cause), never as verified.
    /// </summary>
    public async Task<ClusterCheckResult<TState, TAction>> RunAsync(CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        if (options.Order != SearchOrder.BreadthFirst)
        {
            throw new ArgumentException("The cluster engine searches breadth-first only.", nameof(options));
        }

        if (options.SleepSets)
        {
            throw new ArgumentException("The cluster engine explores the unreduced state space: it has no sleep sets (CheckerOptions.SleepSets).", nameof(options));
        }

        // Partitions expand every successor: accepting the option silently would report unreduced counts as reduced ones.
        if (options.PartialOrderReduction)
        {
            throw new ArgumentException("The cluster engine explores the unreduced state space: it has no partial-order reduction (CheckerOptions.PartialOrderReduction).", nameof(options));
        }

        var clock = Stopwatch.StartNew();
        var run = Guid.NewGuid();
        var parts = Enumerable.Range(0, partitions).Select(i => grains.GetGrain<IPartitionGrain>(i)).ToArray();
        var silos = new string[partitions];
        var reports = Array.Empty<LevelReport>();
        var level = 0;
        var levels = 0;
        (BoundKind Kind, string Detail)? bound = null;
        string? failure = null;
        int? failedPartition = null;
        try
        {
            var init = await OnAll(parts, p => p.Init(run, partitions, job));
            init.CopyTo(silos, 0);
            SiloOfPartition = silos;
            reports = await OnAll(parts, p => p.Seed(run));
            var deadline = options.Timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
            while (true)
            {
                var stats = Stats(reports, level, clock.Elapsed);
                progress?.Invoke(stats);
                var frontier = reports.Sum(r => r.Frontier);
                if (frontier == 0)
                {
                    break;
                }

                if (options.StopAtFirstViolation && reports.Any(r => r.ViolatedInvariants > 0))
                {
                    break;
                }

                if (options.MaxStates is { } maxStates && stats.StatesStored > maxStates)
                {
                    bound = (BoundKind.MaxStates, $"{stats.StatesStored:N0} states stored (more than --max-states {maxStates:N0}) with {frontier:N0} not yet expanded");
                    break;
                }

                if (options.MaxDepth is { } maxDepth && level >= maxDepth)
                {
                    bound = (BoundKind.MaxDepth, $"{frontier:N0} states at depth {level} were not expanded");
                    break;
                }

                if (options.MaxMemoryBytes is { } maxMemory && reports.Max(r => r.HeapBytes) > maxMemory)
                {
                    var worst = reports.MaxBy(r => r.HeapBytes)!;
                    bound = (BoundKind.MaxMemory, $"silo {worst.Silo} holds {worst.HeapBytes / (1024 * 1024):N0} MiB of managed heap, more than the {maxMemory / (1024 * 1024):N0} MiB per silo allowed");
                    break;
                }

                if (DateTime.UtcNow >= deadline)
                {
                    bound = (BoundKind.Timeout, $"the time limit passed after {level} complete levels");
                    break;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    bound = (BoundKind.Cancelled, "the run was cancelled");
                    break;
                }

                await OnAll(parts, async p =>
                {
                    await p.StartExpand(run, level, deadline);
                    return true;
                });
                var cut = await WaitForLevel(parts, run);
                reports = await OnAll(parts, p => p.Advance(run));
                level++;
                levels++;
                if (cut)
                {
                    bound = (BoundKind.Timeout, $"the time limit passed while expanding depth {level - 1}");
                    break;
                }
            }

            if (failure is null)
            {
                var finalStats = Stats(reports, reports.Sum(r => r.Frontier) == 0 ? level - 1 : level, clock.Elapsed);
                return await Finish(parts, run, finalStats, bound, Cluster(silos, levels, reports));
            }
        }
        catch (PartitionFailure e)
        {
            failure = Describe(e.InnerException!);
            failedPartition = e.Partition;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = Describe(e);
        }
        finally
        {
            // Best effort: a partition that is gone cannot be released, and that must not hide the result.
            await Task.WhenAll(parts.Select(async p =>
            {
                try
                {
                    await p.Release(run);
                }
                catch (Exception)
                {
                    // The partition's silo is gone or unreachable; its memory went with it.
                }
            }));
        }

        var lost = reports.Length == 0 ? Stats([], 0, clock.Elapsed) : Stats(reports, level, clock.Elapsed);
        var where = failedPartition is { } k
            ? $"partition {k}{(silos[k] is { } silo ? $" on silo {silo}" : "")}"
            : "the cluster";
        var detail = $"{where} failed during depth {level}, so states may have been lost and nothing is proved: {failure}";
        return new ClusterCheckResult<TState, TAction>(
            new Inconclusive<TState, TAction>(lost, BoundKind.NodeLost, detail), [], Cluster(silos, levels, reports))
        {
            LostPartition = failedPartition,
        };
    }

    /// <summary>
    /// Makes one call on every partition and waits for all; when any fails, throws <see cref="PartitionFailure"/>
    /// naming the first partition (by index) whose call failed, so the verdict can say which one was lost.
    /// </summary>
    private static async Task<T[]> OnAll<T>(IPartitionGrain[] parts, Func<IPartitionGrain, Task<T>> call)
    {
        var tasks = parts.Select(call).ToArray();
        try
        {
            return await Task.WhenAll(tasks);
        }
        catch (Exception)
        {
            // WhenAll has waited for every call, so each task is complete here.
            var i = Array.FindIndex(tasks, t => !t.IsCompletedSuccessfully);
            if (i < 0)
            {
                throw;
            }

            throw new PartitionFailure(i, tasks[i].Exception?.GetBaseException() ?? new TaskCanceledException(tasks[i]));
        }
    }

    private static string Describe(Exception e)
    {
        var inner = e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e;
        return $"{inner.GetType().Name}: {inner.Message}";
    }

    private async Task<bool> WaitForLevel(IPartitionGrain[] parts, Guid run)
    {
        while (true)
        {
            var status = await OnAll(parts, p => p.Poll(run));
            for (var i = 0; i < status.Length; i++)
            {
                if (status[i].Error is { } error)
                {
                    throw new PartitionFailure(i, new PartitionLostException($"it failed while expanding: {error}"));
                }
            }

            if (status.All(s => s.Done))
            {
                return status.Any(s => s.CutByDeadline);
            }

            await Task.Delay(PollInterval);
        }
    }

    private async Task<ClusterCheckResult<TState, TAction>> Finish(
        IPartitionGrain[] parts, Guid run, ExplorationStats stats, (BoundKind Kind, string Detail)? bound, ClusterRunStats cluster)
    {
        var summaries = await OnAll(parts, p => p.Summary(run));

        // The shallowest violation of each invariant is a shortest counterexample (breadth-first levels).
        var violations = summaries.SelectMany(s => s.Violations)
            .GroupBy(v => v.Invariant)
            .Select(g => g.OrderBy(v => v.Depth).First())
            .OrderBy(v => v.Invariant)
            .ToList();
        var found = new List<PropertyViolation<TState, TAction>>();
        foreach (var v in violations)
        {
            found.Add(new PropertyViolation<TState, TAction>(model.Invariants[v.Invariant], v.Message, await TraceTo(parts, run, v.State)));
        }

        var terminals = new List<TerminalClass<TState, TAction>>();
        foreach (var group in summaries.SelectMany(s => s.Terminals).GroupBy(t => t.Label, StringComparer.Ordinal)
                     .OrderBy(g => g.Min(t => t.Depth)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var witness = group.OrderBy(t => t.Depth).First();
            terminals.Add(new TerminalClass<TState, TAction>(group.Key, group.Sum(t => t.Count), await TraceTo(parts, run, witness.Witness)));
        }

        CheckResult<TState, TAction> result;
        if (found.Count > 0)
        {
            var first = violations.Select((v, i) => (v, i)).OrderBy(x => x.v.Depth).ThenBy(x => x.v.Invariant).First().i;
            result = new Violated<TState, TAction>(stats, found[first].Invariant, found[first].Message, found[first].Trace) { Violations = found };
        }
        else if (bound is { } b)
        {
            result = new Inconclusive<TState, TAction>(stats, b.Kind, b.Detail);
        }
        else
        {
            result = new Verified<TState, TAction>(stats);
        }

        return new ClusterCheckResult<TState, TAction>(result, terminals, cluster);
    }

    /// <summary>Follows parent links from owner to owner back to an initial state, then replays the path.</summary>
    private async Task<Trace<TState, TAction>> TraceTo(IPartitionGrain[] parts, Guid run, ulong state)
    {
        var fingerprints = new List<ulong>();
        var ordinals = new List<int>();
        var current = state;
        while (true)
        {
            var owner = (int)(current % (ulong)parts.Length);
            ParentLink link;
            try
            {
                link = await parts[owner].ParentOf(run, current);
            }
            catch (Exception e)
            {
                throw new PartitionFailure(owner, e);
            }

            if (!link.Known)
            {
                throw new PartitionFailure(owner, new PartitionLostException($"state {current:x16} is not stored by its owner; the partition lost it"));
            }

            if (link.Initial)
            {
                fingerprints.Reverse();
                ordinals.Reverse();
                return model.Replay(link.Ordinal, ordinals, fingerprints);
            }

            fingerprints.Add(current);
            ordinals.Add(link.Ordinal);
            current = link.Parent;
        }
    }

    private static ExplorationStats Stats(LevelReport[] reports, int depth, TimeSpan elapsed) =>
        new(reports.Sum(r => r.Stored), reports.Sum(r => r.Transitions), Math.Max(depth, 0), reports.Sum(r => r.Terminal), elapsed, reports.Sum(r => r.TableBytes))
        {
            PeakFrontier = reports.Sum(r => r.Frontier),
        };

    private static ClusterRunStats Cluster(string[] silos, int levels, LevelReport[] reports) => new(
        silos.Length, silos, levels, reports.Sum(r => r.BatchesSent), reports.Sum(r => r.StatesSent), reports.Sum(r => r.BytesSent),
        reports.Length == 0 ? 0 : reports.Max(r => r.HeapBytes), reports.Sum(r => r.TableBytes));
}
