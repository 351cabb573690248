using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;
using NatVerify.Specs;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Smt.Tests;

/// <summary>
/// The table effects the induction proof encodes (<see cref="TableEffects"/>) are the explicit engine's: every
/// transition of every shipped and seed spec (real kernel, the spec's profile, breadth-first up to
/// <see cref="MaxStates"/> states per spec) links, unlinks and rewrites linked nodes only as the effect of its
/// step allows. Confirm and conntrack -I are encoded by their own obligations and are not checked here; a step of
/// any other kind fails the test, so a new kind of step cannot escape the proof unnoticed.
/// </summary>
public sealed class TableEffectsConformanceTests(ITestOutputHelper output)
{
    private const int MaxStates = 4000;

    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(Support.Root, "specs"), "*.yaml", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/specs/policies/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Support.Root, f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Every_explicit_transition_changes_the_table_only_as_its_table_effect_allows(string relative)
    {
        var spec = SpecLoader.LoadFile(Path.Combine(Support.Root, relative));
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var seen = new HashSet<NatState> { semantics.Initial };
        var queue = new Queue<NatState>([semantics.Initial]);
        var successors = new List<(NatStep, NatState)>();
        var checkedSteps = 0;
        while (queue.Count > 0 && seen.Count < MaxStates)
        {
            var state = queue.Dequeue();
            successors.Clear();
            semantics.Successors(state, successors);
            foreach (var (step, next) in successors)
            {
                var problem = Violation(state.Slots.ToArray(), step, next.Slots.ToArray());
                Assert.True(problem is null, $"{relative}: {step.GetType().Name} ({step.KernelFunction}): {problem}");
                checkedSteps++;
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        output.WriteLine($"{checkedSteps} transitions over {seen.Count} states checked");
    }

    /// <summary>Each kind of unlink the effect allows is recognised, and an unallowed change is reported.</summary>
    [Fact]
    public void A_transition_outside_its_effect_is_reported()
    {
        var (spec, _) = Support.Seed("race-unconstrained");
        var semantics = new NatSemantics(spec.Model, spec.Profile);
        var s = semantics.Initial;
        var linked = s[0] with { Phase = Phase.Confirmed };
        Slot[] before = [linked, s[1]];
        Slot[] after = [linked with { Status = linked.Status | CtStatus.Removed }, s[1]];

        // A lookup that collected nothing must not unlink entry 0; one that collected it may.
        Assert.NotNull(Violation(before, new ConntrackIn(1, Model.Nat.NatHook.Output, -1), after));
        Assert.Null(Violation(before, new ConntrackIn(1, Model.Nat.NatHook.Output, -1) { Collected = [0] }, after));

        // A lookup that rewrites a linked reply breaks the frame.
        Slot[] rewritten = [linked with { Reply = linked.Reply with { SrcPort = Model.Addressing.Port.Of(1) } }, s[1]];
        Assert.NotNull(Violation(before, new ConntrackIn(1, Model.Nat.NatHook.Output, -1), rewritten));
    }

    private static string? Violation(Slot[] before, NatStep step, Slot[] after)
    {
        var kind = step switch
        {
            ConntrackIn or RetransmitStep => "conntrack-in",
            NatSetup => "nat-setup",
            CtnetlinkDeleteStep => "ctnetlink-delete",
            GcStep => "gc",
            TimeoutStep or CloseStep => "timeout-or-close",
            Confirm or CtnetlinkInsertStep => "own-obligation",
            _ => null,
        };

        // A step kind the proof knows nothing about would make --induction unsound: it must get a table effect.
        if (kind is null)
        {
            return $"{step.GetType().Name} has no table effect (TableEffects.Steps) and no obligation of its own";
        }

        if (kind == "own-obligation")
        {
            return null;
        }

        var effect = TableEffects.Of(kind, KernelMutant.None);
        for (var j = 0; j < before.Length; j++)
        {
            var (b, a) = (before[j], after[j]);
            if (!b.Linked && a.Linked && !(j == step.Actor && effect.Links != SelfLink.None))
            {
                return $"entry {j} linked, effect links {effect.Links}";
            }

            if (b.Linked && !a.Linked)
            {
                var allowed = effect.Unlinks switch
                {
                    UnlinkSelection.MetByLookup => step.Collected.Contains(j),
                    UnlinkSelection.ExpiredMetOrEvicted => step.Collected.Contains(j) && (b.Has(CtStatus.Expired) || a.Has(CtStatus.EvictedBySnat)),
                    UnlinkSelection.AnyLinked => step is CtnetlinkDeleteStep d && d.Deleted.Contains(j),
                    UnlinkSelection.OneExpired => step is GcStep g && g.Target == j && b.Has(CtStatus.Expired),
                    _ => false,
                };
                if (!allowed)
                {
                    return $"entry {j} unlinked, effect unlinks {effect.Unlinks}";
                }
            }

            if (b.Linked && a.Linked)
            {
                if (b.OriginalLinked != a.OriginalLinked)
                {
                    return $"entry {j}'s ORIGINAL node changed its linked state";
                }

                if (Key(b.Reply) != Key(a.Reply) && effect.Rewrites != ReplyRewrite.AnyEntryInPlace)
                {
                    return $"linked entry {j}'s reply changed from {b.Reply} to {a.Reply}, effect rewrites {effect.Rewrites}";
                }
            }
        }

        return null;
    }

    // Fresh ports are renumbered canonically after every step (Canonicalizer): equal up to that renumbering.
    private static string Key(ConntrackTuple t) =>
        $"{t.Protocol} {t.SrcIp} {(t.SrcPort.IsFresh ? "fresh" : t.SrcPort.ToString())} {t.DstIp} {(t.DstPort.IsFresh ? "fresh" : t.DstPort.ToString())}";
}
