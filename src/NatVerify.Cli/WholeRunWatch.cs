using System.CommandLine;
using System.Diagnostics;
using NatVerify.Checker;

namespace NatVerify.Cli;

/// <summary>
/// The whole-run bounds of <c>props</c> and <c>policy</c> (issue 14): a timer that, from the start of the run, compares
/// the elapsed time with <c>--timeout</c> and the process's resident memory (<see cref="ProcessMemory.ResidentBytes"/>,
/// the measure <c>check</c> and <c>prove</c> use) with <c>--max-memory</c> or the default bound, and cancels
/// <see cref="Token"/> when either is crossed; the work observes the token and stops at its next look.
/// </summary>
internal sealed class WholeRunWatch : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _cancel = new();
    private readonly Timer _timer;
    private readonly long _start = Stopwatch.GetTimestamp();
    private int _tripped = -1;

    public WholeRunWatch(RunLimits limits)
    {
        Limits = limits;
        _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, Poll);
    }

    /// <summary>The bounds this run applies.</summary>
    public RunLimits Limits { get; }

    /// <summary>Cancelled when a bound is crossed.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The bound that was crossed, or null.</summary>
    public BoundKind? Tripped => _tripped < 0 ? null : (BoundKind)_tripped;

    /// <summary>
    /// Measures once more now and returns the bound crossed so far, if any. Called when the work ends: a run that
    /// ended over a bound (one faster than the timer's next look) is reported as cut by it, like one stopped by it,
    /// since the bound is a promise about the whole run.
    /// </summary>
    public BoundKind? CheckNow()
    {
        Tick();
        return Tripped;
    }

    /// <summary>The crossed bound as an option name ("--timeout", "--max-memory", "default memory"), or null.</summary>
    public string? TrippedName => Tripped switch
    {
        BoundKind.Timeout => "--timeout",
        BoundKind.MaxMemory => Limits.MemoryName,
        _ => null,
    };

    /// <summary>One sentence for a verdict: which bound ended the run, and what it measures.</summary>
    public string Describe() => Tripped switch
    {
        BoundKind.Timeout => $"the {TrippedName} bound ({Limits.Timeout!.Value.TotalSeconds:0.###} s for the whole run) ended it",
        BoundKind.MaxMemory => $"the {TrippedName} bound ({Limits.Memory!.Bytes >> 20} MiB of the process's resident memory) ended it",
        _ => "it finished",
    };

    /// <summary>The <c>--timeout</c> and <c>--max-memory</c> options of a command with whole-run bounds.</summary>
    public static (Option<double?> Timeout, Option<long?> MaxMemory) CreateOptions() => (
        new Option<double?>("--timeout") { Description = "Stop (inconclusive, exit 3) after this many seconds of the whole run." },
        new Option<long?>("--max-memory")
        {
            Description = "Stop (inconclusive, exit 3) when the process's resident memory (RSS, /proc/self/statm) exceeds this many MiB. Default: 75% of the machine's available memory (MemAvailable, or the cgroup limit when lower).",
        });

    /// <summary>The run's bounds from the options, or an error message for a bad value.</summary>
    public static RunLimits? ParseLimits(double? timeoutSeconds, long? maxMemoryMiB, out string? error)
    {
        error = null;
        if (timeoutSeconds is { } t && (t <= 0 || double.IsNaN(t) || double.IsInfinity(t)))
        {
            error = "--timeout must be a positive number of seconds";
            return null;
        }

        if (maxMemoryMiB is { } m && (m < 1 || m > long.MaxValue >> 20))
        {
            error = "--max-memory must be at least 1 (MiB)";
            return null;
        }

        return new RunLimits(ProcessMemory.Choose(maxMemoryMiB << 20), timeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, null, null);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _cancel.Dispose();
    }

    private void Tick()
    {
        if (_tripped >= 0)
        {
            return;
        }

        BoundKind? crossed = Limits.Timeout is { } t && Stopwatch.GetElapsedTime(_start) >= t ? BoundKind.Timeout
            : Limits.Memory is { } m && ProcessMemory.ResidentBytes() > m.Bytes ? BoundKind.MaxMemory
            : null;
        if (crossed is { } kind && Interlocked.CompareExchange(ref _tripped, (int)kind, -1) == -1)
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended between the check and the cancel.
            }
        }
    }
}
