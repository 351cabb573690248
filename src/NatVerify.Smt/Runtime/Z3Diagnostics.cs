using Microsoft.Z3;

namespace NatVerify.Smt.Runtime;

/// <summary>
/// Checks that Z3 works in this process through the shim: answers, error reporting, renumbered declaration kinds,
/// and a stress of concurrent finalizer releases. Z3 calls stay in this project; tests see only these results.
/// </summary>
public static class Z3Diagnostics
{
    /// <summary>Runs the functional self-checks.</summary>
    public static IReadOnlyList<Z3SelfCheck> SelfCheck()
    {
        var results = new List<Z3SelfCheck>();
        using var ctx = Z3Session.NewContext();
        var x = ctx.MkBVConst("x", 16);
        var solver = ctx.MkSolver();
        solver.Assert(ctx.MkEq(ctx.MkBVAdd(x, ctx.MkBV(1000, 16)), ctx.MkBV(1234, 16)));
        var status = solver.Check();
        var value = status == Status.SATISFIABLE ? ((BitVecNum)solver.Model.Eval(x, true)).UInt : uint.MaxValue;
        results.Add(new("bit-vector model", status == Status.SATISFIABLE && value == 234, $"{status}, x = {value}"));

        solver.Reset();
        solver.Assert(ctx.MkBVULT(x, ctx.MkBV(0, 16)));
        status = solver.Check();
        results.Add(new("unsatisfiable query", status == Status.UNSATISFIABLE, status.ToString()));

        try
        {
            ctx.MkBVAdd(x, ctx.MkBVConst("y", 32));
            results.Add(new("errors surface as Z3Exception", false, "no exception for a sort mismatch"));
        }
        catch (Z3Exception e)
        {
            results.Add(new("errors surface as Z3Exception", true, e.Message));
        }

        // Z3_OP_SEQ_LENGTH is renumbered between libz3 4.8.12 and the 4.12.2 binding; the shim translates it.
        var length = ctx.MkLength(ctx.MkString("abc"));
        var kind = length.FuncDecl.DeclKind;
        results.Add(new("declaration kinds translated", kind == Z3_decl_kind.Z3_OP_SEQ_LENGTH, kind.ToString()));

        // Datatype constructors are released by finalizers through Z3_del_constructor without any lock.
        var sort = ctx.MkDatatypeSort("Pair", [ctx.MkConstructor("pair", "is_pair", ["fst", "snd"], [ctx.MkIntSort(), ctx.MkIntSort()], null)]);
        var p = ctx.MkConst("p", sort);
        solver.Reset();
        solver.Assert(ctx.MkEq(sort.Accessors[0][0].Apply(p), ctx.MkInt(7)));
        status = solver.Check();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        results.Add(new("datatypes and constructor release", status == Status.SATISFIABLE, status.ToString()));
        return results;
    }

    /// <summary>
    /// Several contexts, each on its own thread, build fresh formulas with known answers and check them, while
    /// another thread forces garbage collections every couple of milliseconds, so finalizers release objects of
    /// contexts that are in the middle of a call. With a sound shim every answer is right and nothing fails;
    /// without one the process typically dies within a second (heap corruption, assertion, segfault).
    /// </summary>
    public static StressReport Stress(StressOptions options)
    {
        if (Z3Shim.UnavailableReason is { } reason)
        {
            throw new SmtUnavailableException(reason);
        }

        Z3Loader.SetPassthrough(options.Passthrough);
        var before = Z3Shim.Statistics();
        long checks = 0, wrong = 0, errors = 0, collections = 0;
        var messages = new List<string>();
        var stop = DateTime.UtcNow + options.Duration;
        var done = 0;
        var workers = Enumerable.Range(0, options.Contexts).Select(w => new Thread(() =>
        {
            try
            {
                var random = new Random(options.Seed + w);
                using var ctx = new Context();
                while (DateTime.UtcNow < stop)
                {
                    var (ok, n) = Round(ctx, random);
                    Interlocked.Add(ref checks, n);
                    if (!ok)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref errors);
                lock (messages)
                {
                    if (messages.Count < 10)
                    {
                        messages.Add($"{e.GetType().Name}: {e.Message}");
                    }
                }
            }
            finally
            {
                Interlocked.Increment(ref done);
            }
        })).ToList();
        var collector = new Thread(() =>
        {
            while (Volatile.Read(ref done) < options.Contexts)
            {
                // No WaitForPendingFinalizers: the finalizer thread must run while the workers are inside Z3 calls.
                GC.Collect();
                collections++;
                Thread.Sleep(1);
            }
        });
        workers.ForEach(t => t.Start());
        collector.Start();
        workers.ForEach(t => t.Join());
        collector.Join();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Z3Loader.SetPassthrough(false);
        return new StressReport(checks, wrong, errors, collections, before, Z3Shim.Statistics(), messages);
    }

    /// <summary>
    /// One round: hundreds of short-lived wrappers (garbage for the collector thread to finalize while this thread
    /// keeps calling into the context), then a satisfiable query whose model is checked and an unsatisfiable one.
    /// </summary>
    private static (bool Ok, int Checks) Round(Context ctx, Random random)
    {
        var a = (uint)random.Next(1, 60000);
        var b = (uint)random.Next(1, 60000);
        var x = ctx.MkBVConst($"x{random.Next(1000)}", 16);
        BitVecExpr sum = x;
        for (var i = 0; i < 300; i++)
        {
            var garbage = ctx.MkBVAdd(x, ctx.MkBV((uint)random.Next(65536), 16));
            sum = i % 30 == 0 ? ctx.MkBVAdd(ctx.MkBV(0, 16), sum) : sum;
            GC.KeepAlive(garbage);
        }

        var solver = ctx.MkSolver();
        solver.Assert(ctx.MkEq(ctx.MkBVAdd(sum, ctx.MkBV(a, 16)), ctx.MkBV(b, 16)));
        var ok = solver.Check() == Status.SATISFIABLE
            && ((BitVecNum)solver.Model.Eval(x, true)).UInt == ((b - a) & 0xffff);
        solver.Reset();
        solver.Assert(ctx.MkBVULT(sum, ctx.MkBV(0, 16)));
        ok &= solver.Check() == Status.UNSATISFIABLE;
        return (ok, 2);
    }
}
