using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Reference.Tests;

/// <summary>Runs the engine on a reference variant and collects terminal states.</summary>
public static class RefRun
{
    public static (CheckResult<ulong, RefStep> Result, TerminalCollector Terminals) Check(
        RefVariant variant,
        bool partialOrder = false,
        bool symmetry = false,
        SearchOrder order = SearchOrder.BreadthFirst,
        int workers = 1,
        bool stopAtFirstViolation = false,
        bool sleepSets = false)
    {
        var model = new RefModel(variant);
        IStateEncoder<ulong> encoder = symmetry ? new RefSymmetry(model) : model;
        var terminals = new TerminalCollector(model);
        var options = new CheckerOptions
        {
            Order = order,
            PartialOrderReduction = partialOrder,
            Workers = workers,
            StopAtFirstViolation = stopAtFirstViolation,
            SleepSets = sleepSets,
        };
        var checker = new ModelChecker<ulong, RefStep>(model, encoder, [model.TupleUniqueness], options, terminals);
        return (checker.Run(), terminals);
    }

    /// <summary>Re-executes the trace's actions from the initial state, checking each is enabled and leads to the recorded state.</summary>
    public static ulong Replay(RefModel model, Trace<ulong, RefStep> trace)
    {
        Assert.Contains(trace.Initial, model.InitialStates);
        ulong state = trace.Initial;
        var successors = new List<Transition<ulong, RefStep>>();
        foreach (Transition<ulong, RefStep> step in trace.Steps)
        {
            successors.Clear();
            model.Successors(state, successors);
            int index = successors.FindIndex(t => t.Action == step.Action);
            Assert.True(index >= 0, $"{step.Action} is not enabled in {model.Describe(state)}");
            state = successors[index].Next;
            Assert.Equal(step.Next, state);
        }

        return state;
    }

    /// <summary>Records every terminal state (and keeps the trace factories to replay some of them).</summary>
    public sealed class TerminalCollector(RefModel model) : IExplorationObserver<ulong, RefStep>
    {
        public List<ulong> States { get; } = [];

        public List<Func<Trace<ulong, RefStep>>> Traces { get; } = [];

        public RefModel Model => model;

        public void OnProgress(ExplorationStats stats)
        {
        }

        public void OnTerminal(ulong state, Func<Trace<ulong, RefStep>> traceFactory)
        {
            States.Add(state);
            Traces.Add(traceFactory);
        }

        /// <summary>Terminal states by the number of flows that ended with insert_failed.</summary>
        public SortedDictionary<int, long> ByInsertFailed()
        {
            var histogram = new SortedDictionary<int, long>();
            foreach (ulong s in States)
            {
                int drops = model.InsertFailed(s);
                histogram[drops] = histogram.GetValueOrDefault(drops) + 1;
            }

            return histogram;
        }
    }
}
