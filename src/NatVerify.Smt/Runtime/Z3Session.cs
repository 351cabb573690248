using System.Diagnostics;
using Microsoft.Z3;

namespace NatVerify.Smt.Runtime;

/// <summary>Creating contexts and running checks, with the availability check and timing in one place.</summary>
internal static class Z3Session
{
    /// <summary>A new context (always dispose it, on the thread that created it).</summary>
    /// <exception cref="SmtUnavailableException">Z3 or the shim cannot be loaded.</exception>
    public static Context NewContext()
    {
        if (Z3Shim.UnavailableReason is { } reason)
        {
            throw new SmtUnavailableException(reason);
        }

        return new Context(new Dictionary<string, string> { ["model"] = "true" });
    }

    /// <summary>A solver with a per-check time limit.</summary>
    public static Solver NewSolver(Context ctx, TimeSpan timeout, string? logic = null)
    {
        var solver = logic is null ? ctx.MkSolver() : ctx.MkSolver(logic);
        var p = ctx.MkParams();
        p.Add("timeout", (uint)Math.Clamp(timeout.TotalMilliseconds, 1, uint.MaxValue));
        solver.Parameters = p;
        return solver;
    }

    /// <summary>Runs one check and measures it.</summary>
    public static (Status Status, TimeSpan Elapsed) Check(Solver solver, params BoolExpr[] assumptions)
    {
        var sw = Stopwatch.StartNew();
        var status = solver.Check((Expr[])assumptions);
        return (status, sw.Elapsed);
    }
}
