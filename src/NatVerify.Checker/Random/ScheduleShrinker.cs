namespace NatVerify.Checker.Random;

/// <summary>
/// Shrinks a failing <see cref="ChoiceSchedule"/> to a locally minimal one that still violates the same invariant:
/// delete runs of choices (halving the run length down to 1), then set choices to 0, then lower them by one, repeating
/// until nothing helps or the replay budget is spent. A candidate is kept only if its replay is strictly smaller:
/// fewer steps, then fewer non-zero choices, then a smaller choice sum.
/// </summary>
public static class ScheduleShrinker
{
    /// <summary>Shrinks a schedule.</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <typeparam name="TAction">The action label type.</typeparam>
    /// <param name="system">The system.</param>
    /// <param name="failing">A schedule whose replay violates <paramref name="invariant"/>.</param>
    /// <param name="invariant">The invariant that must keep failing.</param>
    /// <param name="maxSteps">The step limit of every replay.</param>
    /// <param name="budget">The most replays to spend.</param>
    /// <returns>The replay of the smallest failing schedule found and how many shrink steps were accepted.</returns>
    /// <exception cref="ArgumentException"><paramref name="failing"/> does not violate <paramref name="invariant"/>.</exception>
    public static (ReplayResult<TState, TAction> Result, int Accepted) Shrink<TState, TAction>(
        ITransitionSystem<TState, TAction> system, ChoiceSchedule failing, Invariant<TState> invariant, int maxSteps, int budget)
    {
        Invariant<TState>[] only = [invariant];
        var best = ScheduleReplayer.Replay(system, failing, only, maxSteps);
        if (!best.Violated)
        {
            throw new ArgumentException($"The schedule {failing} does not violate {invariant.Id}.", nameof(failing));
        }

        var accepted = 0;
        var spent = 0;
        var improved = true;
        while (improved && spent < budget)
        {
            improved = false;
            foreach (var candidate in Candidates(best.Taken))
            {
                if (spent++ >= budget)
                {
                    break;
                }

                var result = ScheduleReplayer.Replay(system, candidate, only, maxSteps);
                if (result.Violated && Smaller(result, best))
                {
                    best = result;
                    accepted++;
                    improved = true;
                    break;
                }
            }
        }

        return (best, accepted);
    }

    /// <summary>The size order of schedules: (steps, non-zero choices, choice sum).</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <typeparam name="TAction">The action label type.</typeparam>
    /// <param name="a">A replay.</param>
    /// <param name="b">Another replay.</param>
    /// <returns>True when <paramref name="a"/> is strictly smaller.</returns>
    public static bool Smaller<TState, TAction>(ReplayResult<TState, TAction> a, ReplayResult<TState, TAction> b)
    {
        var x = (a.Trace.Length, a.Taken.Choices.Count(c => c != 0), a.Taken.Choices.Sum(c => (long)c));
        var y = (b.Trace.Length, b.Taken.Choices.Count(c => c != 0), b.Taken.Choices.Sum(c => (long)c));
        return x.CompareTo(y) < 0;
    }

    /// <summary>The shrinking moves of a schedule, biggest first: drop runs of choices, zero a choice, lower a choice by one.</summary>
    /// <param name="s">The schedule.</param>
    /// <returns>Candidate schedules, each one move away.</returns>
    public static IEnumerable<ChoiceSchedule> Candidates(ChoiceSchedule s)
    {
        var c = s.Choices;
        if (s.Initial != 0)
        {
            yield return s with { Initial = 0 };
        }

        for (var size = Math.Max(1, c.Count / 2); size >= 1; size /= 2)
        {
            for (var start = 0; start + size <= c.Count; start++)
            {
                var list = new List<int>(c.Count - size);
                list.AddRange(c.Take(start));
                list.AddRange(c.Skip(start + size));
                yield return s with { Choices = list };
            }

            if (size == 1)
            {
                break;
            }
        }

        for (var i = 0; i < c.Count; i++)
        {
            if (c[i] != 0)
            {
                yield return s with { Choices = Replace(c, i, 0) };
            }
        }

        for (var i = 0; i < c.Count; i++)
        {
            if (c[i] > 1)
            {
                yield return s with { Choices = Replace(c, i, c[i] - 1) };
            }
        }
    }

    private static List<int> Replace(IReadOnlyList<int> list, int index, int value)
    {
        var copy = list.ToList();
        copy[index] = value;
        return copy;
    }
}
