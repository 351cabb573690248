using System.Diagnostics;
using Microsoft.Z3;
using NatVerify.Checker;

namespace NatVerify.Smt.Runtime;

/// <summary>
/// The whole-run bounds of a Z3 run: a deadline (encoding included, not per query) and a bound on the process's
/// resident memory (<see cref="ProcessMemory.ResidentBytes"/>). Checked between encoding steps by
/// <see cref="Checkpoint"/>, during a query by a watchdog that interrupts the context (<see cref="Watch"/>), and
/// inside Z3 itself through its global <c>memory_max_size</c> parameter, so that Z3's own allocations end in an error
/// that becomes this bound instead of exhausting the machine.
/// </summary>
internal sealed class RunBudget
{
    /// <summary>How often the watchdog looks at the clock and the resident memory while Z3 runs.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(50);

    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly TimeSpan? _timeout;
    private readonly long? _maxMemoryBytes;
    private volatile BudgetExceededException? _hit;

    public RunBudget(TimeSpan? timeout, long? maxMemoryBytes)
    {
        _timeout = timeout;
        _maxMemoryBytes = maxMemoryBytes;
    }

    /// <summary>The bound that ended the run, once one has.</summary>
    public BudgetExceededException? Hit => _hit;

    /// <summary>Time left before the deadline (never negative), or null without one.</summary>
    public TimeSpan? Remaining => _timeout is { } t ? Max(TimeSpan.Zero, t - Stopwatch.GetElapsedTime(_start)) : null;

    /// <summary>The solver's time limit for the next query: the per-query cap or the time left, whichever is less.</summary>
    /// <remarks>One millisecond more than the time left, so a query that Z3 stops for time has passed the deadline.</remarks>
    public TimeSpan QueryTimeout(TimeSpan cap) => Remaining is { } left && left < cap ? left + TimeSpan.FromMilliseconds(1) : cap;

    /// <summary>Throws the bound that is exceeded now (or was earlier), if any.</summary>
    /// <exception cref="BudgetExceededException">A bound is exceeded.</exception>
    public void Checkpoint()
    {
        if (Exceeded() is { } hit)
        {
            throw hit;
        }
    }

    /// <summary>
    /// Sets Z3's process-wide allocation limit (<c>memory_max_size</c>, MiB) to this run's memory bound: Z3's own
    /// allocations are part of the resident memory, so Z3 stops no later than the process bound would be crossed.
    /// Disposing resets the limit to none.
    /// </summary>
    public IDisposable LimitZ3Memory()
    {
        if (_maxMemoryBytes is not { } bytes)
        {
            return new Reset(null);
        }

        Global.SetParameter("memory_max_size", Math.Max(1, Z3LimitBytes(bytes) >> 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new Reset(() => Global.SetParameter("memory_max_size", "0"));
    }

    /// <summary>
    /// While the returned scope is alive, a watchdog interrupts <paramref name="ctx"/> as soon as a bound is exceeded;
    /// the query then ends unknown and <see cref="Hit"/> names the bound.
    /// </summary>
    public IDisposable Watch(Context ctx)
    {
        if (_timeout is null && _maxMemoryBytes is null)
        {
            return new Reset(null);
        }

        var gate = new Lock();
        var done = false;
        var timer = new Timer(
            _ =>
            {
                lock (gate)
                {
                    if (!done && Exceeded() is not null)
                    {
                        ctx.Interrupt();
                    }
                }
            },
            null,
            WatchInterval,
            WatchInterval);
        return new Reset(() =>
        {
            // Under the lock, so the callback never interrupts a context that the caller goes on to dispose.
            lock (gate)
            {
                done = true;
            }

            timer.Dispose();
        });
    }

    /// <summary>Records and returns Z3's out-of-memory error as this run's memory bound.</summary>
    public BudgetExceededException MemoryOut(string z3Message) =>
        Record(new BudgetExceededException(
            BoundKind.MaxMemory,
            $"Z3 ran out of its allocation limit (memory_max_size {Z3LimitBytes(_maxMemoryBytes ?? 0) >> 20} MiB, the memory bound with headroom): {z3Message}"));

    /// <summary>
    /// Z3's own limit: the bound plus headroom (a quarter, at least 256 MiB). Z3 throws its out-of-memory error from
    /// wherever the allocation happens, and an allocation outside an API call's handler (inside a destructor, for
    /// one) aborts the process; the resident-memory checks stop the run at the bound itself, so Z3's limit is only
    /// the backstop for an allocation burst between two of them.
    /// </summary>
    internal static long Z3LimitBytes(long bound) => bound + Math.Max(256L << 20, bound / 4);

    private BudgetExceededException? Exceeded()
    {
        if (_hit is { } hit)
        {
            return hit;
        }

        if (_timeout is { } t && Stopwatch.GetElapsedTime(_start) >= t)
        {
            return Record(new BudgetExceededException(BoundKind.Timeout, $"The run exceeded its time bound of {t.TotalSeconds:0.###} s (--timeout bounds the whole run, encoding included)."));
        }

        if (_maxMemoryBytes is { } max && ProcessMemory.ResidentBytes() is var resident && resident > max)
        {
            return Record(new BudgetExceededException(BoundKind.MaxMemory, $"The process's resident memory reached {resident >> 20} MiB, over the memory bound of {max >> 20} MiB."));
        }

        return null;
    }

    private BudgetExceededException Record(BudgetExceededException e)
    {
        Interlocked.CompareExchange(ref _hit, e, null);
        return _hit!;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class Reset(Action? action) : IDisposable
    {
        public void Dispose() => action?.Invoke();
    }
}

/// <summary>A whole-run bound (time or memory) of a Z3 run was exceeded.</summary>
/// <param name="kind">The bound.</param>
/// <param name="detail">What was measured against which limit.</param>
public sealed class BudgetExceededException(BoundKind kind, string detail) : Exception(detail)
{
    /// <summary>The bound: <see cref="BoundKind.Timeout"/> or <see cref="BoundKind.MaxMemory"/>.</summary>
    public BoundKind Kind { get; } = kind;
}
