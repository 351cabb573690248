namespace NatVerify.Checker.Random;

/// <summary>Counters of a random exploration, complete at the end of a run or a snapshot during it.</summary>
/// <param name="Schedules">Schedules run to their end (terminal state, violation or step limit).</param>
/// <param name="Steps">Transitions taken over all schedules.</param>
/// <param name="Truncated">Schedules that hit the step limit before a terminal state.</param>
/// <param name="LongestSchedule">The most steps one schedule took.</param>
/// <param name="Elapsed">Wall-clock time of the search (shrinking excluded).</param>
public sealed record RandomStats(long Schedules, long Steps, long Truncated, int LongestSchedule, TimeSpan Elapsed)
{
    /// <summary>Gets schedules per second of elapsed time (0 when no time elapsed).</summary>
    public double SchedulesPerSecond => Elapsed > TimeSpan.Zero ? Schedules / Elapsed.TotalSeconds : 0.0;

    /// <summary>Gets steps per second of elapsed time (0 when no time elapsed).</summary>
    public double StepsPerSecond => Elapsed > TimeSpan.Zero ? Steps / Elapsed.TotalSeconds : 0.0;
}
