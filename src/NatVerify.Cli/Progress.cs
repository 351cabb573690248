using System.Globalization;
using NatVerify.Checker;

namespace NatVerify.Cli;

/// <summary>
/// Progress of a long exploration on stderr (never stdout, so <c>--json</c> output stays one document): a live line
/// rewritten in place when stderr is a terminal, plain lines every <see cref="PlainInterval"/> otherwise (logs, CI).
/// Silent for runs shorter than <see cref="Quiet"/>, so small checks print nothing extra.
/// </summary>
internal sealed class Progress
{
    /// <summary>Runs shorter than this print no progress at all.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    /// <summary>The spacing of plain lines when stderr is not a terminal.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    private readonly TextWriter _stderr;
    private readonly bool _live;
    private readonly long? _maxStates;
    private readonly TimeSpan? _timeout;
    private TimeSpan? _lastPlain;
    private int _liveWidth;
    private bool _printed;

    /// <summary>Creates a reporter; live only when <paramref name="stderr"/> is the process's stderr and a terminal.</summary>
    public Progress(TextWriter stderr, long? maxStates = null, TimeSpan? timeout = null, bool? live = null)
    {
        _stderr = stderr;
        _live = live ?? (ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);
        _maxStates = maxStates;
        _timeout = timeout;
    }

    /// <summary>Receives an engine snapshot (at most once per <see cref="CheckerOptions.ProgressInterval"/>).</summary>
    public void Report(ExplorationStats stats)
    {
        if (stats.Elapsed < Quiet)
        {
            return;
        }

        var line = Line(stats, ProcessMemory.ResidentBytes(), _maxStates, _timeout);
        if (_live)
        {
            _stderr.Write("\r" + line.PadRight(_liveWidth));
            _liveWidth = line.Length;
            _printed = true;
        }
        else if (_lastPlain is not { } last || stats.Elapsed - last >= PlainInterval)
        {
            _stderr.WriteLine("... " + line);
            _lastPlain = stats.Elapsed;
            _printed = true;
        }
    }

    /// <summary>Ends the live line so the next output starts on a fresh line.</summary>
    public void Done()
    {
        if (_printed)
        {
            _stderr.WriteLine(_live ? string.Empty : "... done");
        }
    }

    /// <summary>
    /// One progress line. The estimate is only given against a bound the user set (--max-states or --timeout): an
    /// exhaustive search does not know how many states remain, and a guess would mislead.
    /// </summary>
    internal static string Line(ExplorationStats s, long residentBytes, long? maxStates, TimeSpan? timeout)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{s.StatesStored:N0} states, {s.StatesPerSecond:N0} states/s, depth {s.MaxDepthReached}, peak queue {s.PeakFrontier:N0}, resident {residentBytes / (1024.0 * 1024.0):N0} MiB, {Clock(s.Elapsed)} elapsed");
        TimeSpan? left = null;
        if (maxStates is { } max && s.StatesPerSecond > 0 && max > s.StatesStored)
        {
            left = TimeSpan.FromSeconds((max - s.StatesStored) / s.StatesPerSecond);
        }

        if (timeout is { } t && t > s.Elapsed && (left is null || t - s.Elapsed < left))
        {
            left = t - s.Elapsed;
        }

        return left is { } l ? line + $", at most {Clock(l)} left (bound)" : line;
    }

    private static string Clock(TimeSpan t) =>
        t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:D2}");
}
