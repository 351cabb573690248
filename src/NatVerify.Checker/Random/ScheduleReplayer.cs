namespace NatVerify.Checker.Random;

/// <summary>
/// Runs a <see cref="ChoiceSchedule"/> on a transition system, checking invariants in every state it passes
/// (the initial state included) and stopping at the first failure, a terminal state or the step limit.
/// </summary>
public static class ScheduleReplayer
{
    /// <summary>Replays a schedule.</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <typeparam name="TAction">The action label type.</typeparam>
    /// <param name="system">The system; its successor order must be deterministic.</param>
    /// <param name="schedule">The choices.</param>
    /// <param name="invariants">Checked in order in every state.</param>
    /// <param name="maxSteps">The most steps to take.</param>
    /// <returns>The path, the normalised schedule and why it stopped.</returns>
    public static ReplayResult<TState, TAction> Replay<TState, TAction>(
        ITransitionSystem<TState, TAction> system, ChoiceSchedule schedule, IReadOnlyList<Invariant<TState>> invariants, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(invariants);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSteps);
        var initials = system.InitialStates;
        if (initials.Count == 0)
        {
            throw new InvalidOperationException("The system has no initial state.");
        }

        var initialIndex = schedule.Initial % initials.Count;
        var state = initials[initialIndex];
        var steps = new List<Transition<TState, TAction>>();
        var taken = new List<int>();
        var successors = new List<Transition<TState, TAction>>();
        var end = ReplayEnd.MaxSteps;
        Invariant<TState>? failed = Check(invariants, state, out var message);
        if (failed is not null)
        {
            end = ReplayEnd.Violation;
        }
        else
        {
            for (var i = 0; ; i++)
            {
                if (i >= maxSteps)
                {
                    end = ReplayEnd.MaxSteps;
                    break;
                }

                successors.Clear();
                system.Successors(state, successors);
                if (successors.Count == 0)
                {
                    end = ReplayEnd.Terminal;
                    break;
                }

                var choice = i < schedule.Choices.Count ? schedule.Choices[i] % successors.Count : 0;
                taken.Add(choice);
                steps.Add(successors[choice]);
                state = successors[choice].Next;
                failed = Check(invariants, state, out message);
                if (failed is not null)
                {
                    end = ReplayEnd.Violation;
                    break;
                }
            }
        }

        var length = taken.Count;
        while (length > 0 && taken[length - 1] == 0)
        {
            length--;
        }

        return new ReplayResult<TState, TAction>(
            new Trace<TState, TAction>(initials[initialIndex], steps),
            new ChoiceSchedule(initialIndex, taken.GetRange(0, length)),
            end,
            failed,
            failed is null ? null : message);
    }

    private static Invariant<TState>? Check<TState>(IReadOnlyList<Invariant<TState>> invariants, TState state, out string? message)
    {
        foreach (var invariant in invariants)
        {
            message = invariant.Check(state);
            if (message is not null)
            {
                return invariant;
            }
        }

        message = null;
        return null;
    }
}
