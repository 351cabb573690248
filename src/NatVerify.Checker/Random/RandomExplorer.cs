using System.Diagnostics;

namespace NatVerify.Checker.Random;

/// <summary>
/// Random exploration for systems too large to exhaust: runs seeded schedules (random walks or PCT), checks the
/// invariants in every state passed, and shrinks the first failing schedule to a small replayable
/// <see cref="ChoiceSchedule"/>. Every random choice of schedule n comes from <see cref="SplitMix64.Derive"/>(seed, n),
/// so a run is reproduced by its seed and one failing schedule by its own seed.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
public sealed class RandomExplorer<TState, TAction>
{
    private readonly ITransitionSystem<TState, TAction> _system;
    private readonly Invariant<TState>[] _invariants;
    private readonly RandomOptions _options;
    private readonly Func<TAction, int>? _threadOf;
    private readonly List<Transition<TState, TAction>> _successors = [];

    /// <summary>Creates an explorer.</summary>
    /// <param name="system">The system; its successor order must be deterministic.</param>
    /// <param name="invariants">Checked in every state of every schedule.</param>
    /// <param name="options">Seed, strategy and budgets.</param>
    /// <param name="threadOf">
    /// Which thread (process, actor) takes an action; required for <see cref="RandomStrategy.Pct"/>, whose priorities
    /// are per thread.
    /// </param>
    /// <exception cref="ArgumentException">PCT without <paramref name="threadOf"/>, or no bound on the run.</exception>
    public RandomExplorer(
        ITransitionSystem<TState, TAction> system, IReadOnlyList<Invariant<TState>> invariants, RandomOptions options, Func<TAction, int>? threadOf = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(invariants);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Strategy == RandomStrategy.Pct && threadOf is null)
        {
            throw new ArgumentException("PCT needs a thread mapping (threadOf).", nameof(threadOf));
        }

        if (options.MaxSchedules is null && options.Timeout is null)
        {
            throw new ArgumentException("Give MaxSchedules, Timeout or both: a random search never ends by itself.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.PctDepth, 1, "options.PctDepth");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxSteps, "options.MaxSteps");
        _system = system;
        _invariants = [.. invariants];
        _options = options;
        _threadOf = threadOf;
    }

    /// <summary>Runs schedules until a violation, the schedule count, the timeout or cancellation.</summary>
    /// <param name="progress">Receives a statistics snapshot at most once per <see cref="RandomOptions.ProgressInterval"/>.</param>
    /// <param name="cancellationToken">Stops the run early.</param>
    /// <returns>The result; its violation, if any, is already shrunk.</returns>
    public RandomResult<TState, TAction> Run(Action<RandomStats>? progress = null, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var deadline = _options.Timeout is { } t ? start + (long)(t.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var progressTicks = (long)(_options.ProgressInterval.TotalSeconds * Stopwatch.Frequency);
        var nextProgress = start + progressTicks;
        long schedules = 0, steps = 0, truncated = 0;
        var longest = 0;
        var maxSchedules = _options.MaxSchedules ?? long.MaxValue;
        var cancelled = false;
        RandomViolation<TState, TAction>? violation = null;
        var choices = new List<int>();

        RandomStats Snapshot() => new(schedules, steps, truncated, longest, Stopwatch.GetElapsedTime(start));

        while (schedules < maxSchedules)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }

            var now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                break;
            }

            if (progress is not null && now >= nextProgress)
            {
                nextProgress = now + progressTicks;
                progress(Snapshot());
            }

            var seed = SplitMix64.Derive(_options.Seed, schedules);
            var rng = new SplitMix64(seed);
            choices.Clear();
            var (initial, end, failed) = _options.Strategy == RandomStrategy.Pct
                ? RunPct(ref rng, choices, Math.Max(1, Math.Min(_options.MaxSteps, longest == 0 ? 32 : longest)))
                : RunWalk(ref rng, choices);
            schedules++;
            steps += choices.Count;
            longest = Math.Max(longest, choices.Count);
            if (end == ReplayEnd.MaxSteps)
            {
                truncated++;
            }

            if (failed is not null)
            {
                var stats = Snapshot();
                var original = new ChoiceSchedule(initial, [.. choices]);
                var (shrunk, accepted) = ScheduleShrinker.Shrink(_system, original, failed, _options.MaxSteps, _options.ShrinkBudget);
                violation = new RandomViolation<TState, TAction>(
                    failed, shrunk.Message!, schedules - 1, seed, original, shrunk.Taken, shrunk.Trace, accepted);
                return new RandomResult<TState, TAction>(_options.Seed, _options.Strategy, stats, violation, false);
            }
        }

        return new RandomResult<TState, TAction>(_options.Seed, _options.Strategy, Snapshot(), violation, cancelled);
    }

    private (int Initial, ReplayEnd End, Invariant<TState>? Failed) RunWalk(ref SplitMix64 rng, List<int> choices)
    {
        var initials = _system.InitialStates;
        var initial = initials.Count == 1 ? 0 : rng.NextInt(initials.Count);
        var state = initials[initial];
        if (Check(state) is { } bad)
        {
            return (initial, ReplayEnd.Violation, bad);
        }

        for (var i = 0; i < _options.MaxSteps; i++)
        {
            _successors.Clear();
            _system.Successors(state, _successors);
            if (_successors.Count == 0)
            {
                return (initial, ReplayEnd.Terminal, null);
            }

            var choice = _successors.Count == 1 ? 0 : rng.NextInt(_successors.Count);
            choices.Add(choice);
            state = _successors[choice].Next;
            if (Check(state) is { } failed)
            {
                return (initial, ReplayEnd.Violation, failed);
            }
        }

        return (initial, ReplayEnd.MaxSteps, null);
    }

    /// <summary>
    /// One PCT schedule: threads get distinct random priorities above <c>d</c> when first seen; the enabled thread of
    /// highest priority steps (choosing among its own successors uniformly); after the step at each of the d-1
    /// random change points (drawn from [0, <paramref name="expectedSteps"/>)) the thread that stepped drops to
    /// priority i, below every initial priority.
    /// </summary>
    private (int Initial, ReplayEnd End, Invariant<TState>? Failed) RunPct(ref SplitMix64 rng, List<int> choices, int expectedSteps)
    {
        var initials = _system.InitialStates;
        var initial = initials.Count == 1 ? 0 : rng.NextInt(initials.Count);
        var state = initials[initial];
        if (Check(state) is { } bad)
        {
            return (initial, ReplayEnd.Violation, bad);
        }

        var depth = _options.PctDepth;
        var changePoints = new int[depth - 1];
        for (var i = 0; i < changePoints.Length; i++)
        {
            changePoints[i] = rng.NextInt(expectedSteps);
        }

        var priorities = new Dictionary<int, double>();
        var mine = new List<int>();
        for (var step = 0; step < _options.MaxSteps; step++)
        {
            _successors.Clear();
            _system.Successors(state, _successors);
            if (_successors.Count == 0)
            {
                return (initial, ReplayEnd.Terminal, null);
            }

            var best = 0;
            var bestPriority = double.NegativeInfinity;
            foreach (var transition in _successors)
            {
                var thread = _threadOf!(transition.Action);
                if (!priorities.TryGetValue(thread, out var p))
                {
                    p = depth + rng.NextDouble();
                    priorities[thread] = p;
                }

                if (p > bestPriority)
                {
                    bestPriority = p;
                    best = thread;
                }
            }

            mine.Clear();
            for (var k = 0; k < _successors.Count; k++)
            {
                if (_threadOf!(_successors[k].Action) == best)
                {
                    mine.Add(k);
                }
            }

            var choice = mine.Count == 1 ? mine[0] : mine[rng.NextInt(mine.Count)];
            choices.Add(choice);
            state = _successors[choice].Next;
            for (var i = 0; i < changePoints.Length; i++)
            {
                if (changePoints[i] == step)
                {
                    priorities[best] = i + 1;
                }
            }

            if (Check(state) is { } failed)
            {
                return (initial, ReplayEnd.Violation, failed);
            }
        }

        return (initial, ReplayEnd.MaxSteps, null);
    }

    private Invariant<TState>? Check(TState state)
    {
        foreach (var invariant in _invariants)
        {
            if (invariant.Check(state) is not null)
            {
                return invariant;
            }
        }

        return null;
    }
}
