using NatVerify.Checker;
using Xunit;

namespace NatVerify.Cli.Tests;

/// <summary>The progress reporter: what a line says, when it is written, and that it goes only where it is told.</summary>
public sealed class ProgressTests
{
    private static ExplorationStats Stats(long states, double seconds) =>
        new(states, states * 2, 7, 0, TimeSpan.FromSeconds(seconds), 1 << 20) { PeakFrontier = 1234 };

    [Fact]
    public void Line_reports_states_rate_depth_queue_resident_memory_and_elapsed_and_no_estimate_without_a_bound()
    {
        var line = Progress.Line(Stats(100_000, 10), 64L << 20, null, null);
        Assert.Equal("100,000 states, 10,000 states/s, depth 7, peak queue 1,234, resident 64 MiB, 0:10 elapsed", line);
    }

    [Fact]
    public void Line_estimates_the_time_left_to_the_nearer_of_max_states_and_timeout()
    {
        Assert.EndsWith(", at most 0:30 left (bound)", Progress.Line(Stats(100_000, 10), 0, 400_000, null), StringComparison.Ordinal);
        Assert.EndsWith(", at most 0:05 left (bound)", Progress.Line(Stats(100_000, 10), 0, 400_000, TimeSpan.FromSeconds(15)), StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_mode_writes_whole_lines_no_more_often_than_the_interval_and_nothing_for_short_runs()
    {
        var err = new StringWriter();
        var progress = new Progress(err, live: false);
        progress.Report(Stats(10, 1));
        Assert.Equal(string.Empty, err.ToString());
        progress.Report(Stats(20, 3));
        progress.Report(Stats(30, 4));
        progress.Report(Stats(40, 13));
        progress.Done();
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("... 20 states", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("... 40 states", lines[1], StringComparison.Ordinal);
        Assert.Equal("... done", lines[2]);
        Assert.DoesNotContain('\r', err.ToString());
    }

    [Fact]
    public void Live_mode_rewrites_one_line_in_place_and_ends_it()
    {
        var err = new StringWriter();
        var progress = new Progress(err, live: true);
        progress.Report(Stats(20, 3));
        progress.Report(Stats(30, 4));
        progress.Done();
        var text = err.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
