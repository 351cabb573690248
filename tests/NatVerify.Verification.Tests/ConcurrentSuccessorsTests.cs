using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The search expands states on two threads at once (and the cluster on its own), and the semantics keeps per-thread
/// scratch buffers for the port search and <c>nf_conntrack_in</c>, and shared traversal caches with a lock-free front table.
/// Over every reachable state of every shipped spec, under the real kernel and every mutant: two threads expanding every
/// state at the same time (one forwards, one backwards, on a fresh semantics whose caches they fill together) get exactly
/// the successors a single thread gets (same successor states in the same order, steps equal in every search field).
/// </summary>
public sealed class ConcurrentSuccessorsTests
{
    public static TheoryData<string> Specs => Corpus.All();

    [Theory]
    [MemberData(nameof(Specs))]
    public void Successors_computed_on_two_threads_at_once_equal_the_sequential_ones(string file)
    {
        var spec = Corpus.Load(file);
        foreach (var mutant in Enum.GetValues<KernelMutant>())
        {
            var sequential = new NatSemantics(spec.Model, spec.Profile, mutant);
            var states = Corpus.Reachable(sequential).ToList();
            var expected = new List<List<string>>();
            foreach (var state in states)
            {
                var sink = new List<(NatStep Step, NatState Next)>();
                sequential.Successors(state, sink, diagnostics: false);
                expected.Add(Describe(sink));
            }

            var shared = new NatSemantics(spec.Model, spec.Profile, mutant);
            var results = new List<string>?[2][];
            using var start = new Barrier(2);
            var threads = new Thread[2];
            Exception? failure = null;
            for (var t = 0; t < 2; t++)
            {
                var id = t;
                results[id] = new List<string>?[states.Count];
                threads[id] = new Thread(() =>
                {
                    try
                    {
                        var sink = new List<(NatStep Step, NatState Next)>();
                        start.SignalAndWait();
                        for (var n = 0; n < states.Count; n++)
                        {
                            var k = id == 0 ? n : states.Count - 1 - n;
                            sink.Clear();
                            shared.Successors(states[k], sink, diagnostics: false);
                            results[id][k] = Describe(sink);
                        }
                    }
                    catch (Exception e)
                    {
                        failure = e;
                    }
                });
                threads[id].Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }

            Assert.Null(failure);
            for (var k = 0; k < states.Count; k++)
            {
                Assert.Equal(expected[k], results[0][k]);
                Assert.Equal(expected[k], results[1][k]);
            }
        }
    }

    /// <summary>Each successor as its step's type and search fields and the successor state's slots.</summary>
    private static List<string> Describe(List<(NatStep Step, NatState Next)> sink) =>
        [.. sink.Select(s => $"{s.Step.GetType().Name} {string.Join(";", LeanSuccessorsTests.SearchFields(s.Step))} -> {string.Join("|", Enumerable.Range(0, s.Next.Count).Select(j => s.Next[j].ToString()))}")];
}
