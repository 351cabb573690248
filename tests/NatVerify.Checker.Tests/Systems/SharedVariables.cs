using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// Threads running straight-line programs over three shared variables, with exact footprints: a local step touches
/// only the thread's own program counter, <c>x[a] := c</c> writes x[a], <c>x[a] := x[b]</c> reads x[b] and writes x[a],
/// <c>x[a] := c1 | c2</c> is a nondeterministic choice (two steps of the thread), and <c>await x[a] == c</c> is enabled
/// only when it holds (reads x[a]). The invariant is <c>x[0] != Bad</c>; a step is visible when it writes x[0] (it may
/// repair a violation).
/// </summary>
public sealed class SharedVariables(IReadOnlyList<SharedVariables.Op[]> programs, int bad)
    : ITransitionSystem<SharedVariables.State, (int Thread, int Choice)>, IStateEncoder<SharedVariables.State>,
      IStepFootprints<SharedVariables.State, (int Thread, int Choice)>
{
    private const int Variables = 3;

    public enum Kind
    {
        Local,
        Write,
        Copy,
        Choose,
        Await,
    }

    public IReadOnlyList<State> InitialStates { get; } = [new State(new int[programs.Count], new int[Variables])];

    public Invariant<State> NotBad => new("not-bad", "x[0] never holds the bad value", s => s.X[0] == bad ? $"x[0] = {bad}" : null);

    public int ProcessCount => programs.Count;

    /// <summary>A random system: 2-3 threads of 0-4 operations; every choice comes from <paramref name="random"/>.</summary>
    public static SharedVariables Random(System.Random random)
    {
        var threads = random.Next(2, 4);
        var list = new List<Op[]>();
        for (var t = 0; t < threads; t++)
        {
            var ops = new Op[random.Next(0, 5)];
            for (var k = 0; k < ops.Length; k++)
            {
                ops[k] = new Op((Kind)random.Next(0, 5), random.Next(0, Variables), random.Next(0, Variables), random.Next(0, 3), random.Next(0, 3));
            }

            list.Add(ops);
        }

        return new SharedVariables(list, random.Next(1, 3));
    }

    public void Successors(State state, List<Transition<State, (int Thread, int Choice)>> sink)
    {
        for (var t = 0; t < programs.Count; t++)
        {
            var pc = state.Pcs[t];
            if (pc >= programs[t].Length)
            {
                continue;
            }

            var op = programs[t][pc];
            switch (op.Kind)
            {
                case Kind.Local:
                    sink.Add(new((t, 0), Next(state, t, -1, 0)));
                    break;
                case Kind.Write:
                    sink.Add(new((t, 0), Next(state, t, op.A, op.C1)));
                    break;
                case Kind.Copy:
                    sink.Add(new((t, 0), Next(state, t, op.A, state.X[op.B])));
                    break;
                case Kind.Choose:
                    sink.Add(new((t, 0), Next(state, t, op.A, op.C1)));
                    sink.Add(new((t, 1), Next(state, t, op.A, op.C2)));
                    break;
                case Kind.Await when state.X[op.A] == op.C1:
                    sink.Add(new((t, 0), Next(state, t, -1, 0)));
                    break;
            }
        }
    }

    public void Encode(State state, StateWriter writer)
    {
        foreach (var pc in state.Pcs)
        {
            writer.WriteInt32(pc);
        }

        foreach (var x in state.X)
        {
            writer.WriteInt32(x);
        }
    }

    public int ProcessOf((int Thread, int Choice) action) => action.Thread;

    public void StepFootprint(State state, (int Thread, int Choice) action, Footprint footprint) =>
        OpFootprint(action.Thread, programs[action.Thread][state.Pcs[action.Thread]], footprint);

    public void FutureFootprint(State state, int process, Footprint footprint)
    {
        for (var pc = state.Pcs[process]; pc < programs[process].Length; pc++)
        {
            OpFootprint(process, programs[process][pc], footprint);
        }
    }

    public bool IsVisible(State state, (int Thread, int Choice) action)
    {
        var op = programs[action.Thread][state.Pcs[action.Thread]];
        return op.Kind is Kind.Write or Kind.Copy or Kind.Choose && op.A == 0;
    }

    public long Progress(State state) => state.Pcs.Sum();

    public override string ToString() =>
        $"bad {bad}: " + string.Join(" | ", programs.Select(p => string.Join(",", p.Select(o => o.ToString()))));

    private static void OpFootprint(int thread, Op op, Footprint footprint)
    {
        footprint.ReadWrite(new Region(100 + thread));
        switch (op.Kind)
        {
            case Kind.Write:
            case Kind.Choose:
                footprint.Write(new Region(op.A));
                break;
            case Kind.Copy:
                footprint.Read(new Region(op.B));
                footprint.Write(new Region(op.A));
                break;
            case Kind.Await:
                footprint.Read(new Region(op.A));
                break;
        }
    }

    private static State Next(State state, int thread, int variable, int value)
    {
        var pcs = state.Pcs.ToArray();
        pcs[thread]++;
        var x = state.X.ToArray();
        if (variable >= 0)
        {
            x[variable] = value;
        }

        return new State(pcs, x);
    }

    public readonly record struct Op(Kind Kind, int A, int B, int C1, int C2)
    {
        public override string ToString() => Kind switch
        {
            Kind.Local => "p",
            Kind.Write => $"x{A}={C1}",
            Kind.Copy => $"x{A}=x{B}",
            Kind.Choose => $"x{A}={C1}|{C2}",
            _ => $"await x{A}=={C1}",
        };
    }

    public sealed record State(int[] Pcs, int[] X)
    {
        public bool Equals(State? other) => other is not null && Pcs.SequenceEqual(other.Pcs) && X.SequenceEqual(other.X);

        public override int GetHashCode() => HashCode.Combine(Pcs.Sum(), X.Sum());

        public override string ToString() => $"[{string.Join(",", Pcs)}] x={string.Join(",", X)}";
    }
}
