using NatVerify.Model.Addressing;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>
/// The per-thread buffers of successor generation (<see cref="SuccessorScratch"/>) belong to one call at a time: a call
/// made while the thread's buffers are taken (a nested call) gets its own, and returned buffers come back empty.
/// </summary>
public class SuccessorScratchTests
{
    [Fact]
    public void Rent_while_the_threads_scratch_is_taken_gives_another_instance_and_return_keeps_it_as_the_spare()
    {
        var outer = SuccessorScratch.Rent();
        var nested = SuccessorScratch.Rent();
        Assert.NotSame(outer, nested);
        SuccessorScratch.Return(nested);
        Assert.Same(nested, SuccessorScratch.Rent());
        SuccessorScratch.Return(nested);
        SuccessorScratch.Return(outer);
    }

    [Fact]
    public void Returned_scratch_comes_back_empty()
    {
        var scratch = SuccessorScratch.Rent();
        Fill(scratch);
        SuccessorScratch.Return(scratch);
        var again = SuccessorScratch.Rent();
        Assert.Same(scratch, again);
        Assert.Empty(again.Choices);
        Assert.Empty(again.Collected);
        Assert.Empty(again.Order);
        Assert.Empty(again.Tracked);
        SuccessorScratch.Return(again);
    }

    /// <summary>
    /// The seed race with a port search (the client's null binding searches 1024-65535 once the thief holds its port):
    /// every reachable state's successors, computed while an outer caller holds the thread's scratch filled with other
    /// data, equal those computed with the scratch free.
    /// </summary>
    [Fact]
    public void Successors_computed_while_an_outer_call_holds_the_scratch_equal_the_plain_ones()
    {
        var sem = Sem(Scn(NatT([SnatSinglePort(Client, 12345, 0x64)]), false,
            Flow("thief", Tcp(Client, 54321, Server, 80), 0x64), Flow("client", Tcp(Client, 12345, Server, 80))));
        var seen = new HashSet<NatState> { sem.Initial };
        var queue = new Queue<NatState>(seen);
        var plain = new List<(NatStep Step, NatState Next)>();
        var nested = new List<(NatStep Step, NatState Next)>();
        var searched = false;
        while (queue.TryDequeue(out var state))
        {
            plain.Clear();
            nested.Clear();
            sem.Successors(state, plain, diagnostics: false);
            var held = SuccessorScratch.Rent();
            Fill(held);
            sem.Successors(state, nested, diagnostics: false);
            SuccessorScratch.Return(held);
            Assert.Equal(plain.Select(p => p.Next), nested.Select(n => n.Next));
            Assert.Equal(plain.Select(p => p.Step), nested.Select(n => n.Step), (a, b) => a.GetType() == b.GetType() && a.Actor == b.Actor);
            foreach (var (step, next) in plain)
            {
                searched |= step is NatSetup { Before.SrcPort.IsFresh: false, After.SrcPort.IsFresh: true };
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        Assert.True(searched, "no reachable state searched a port: the test would not exercise the port search's buffers");
    }

    private static void Fill(SuccessorScratch scratch)
    {
        var junk = Tcp(Server, 1, Client, 2);
        scratch.Choices.Add(new NatSemantics.Choice(junk, true, []));
        scratch.Collected.Add(0);
        scratch.Order.Add((junk, -1));
        scratch.Tracked.Add(default);
    }
}
