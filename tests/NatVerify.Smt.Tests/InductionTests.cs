using NatVerify.Model;
using NatVerify.Smt.Induction;
using Xunit;

namespace NatVerify.Smt.Tests;

/// <summary>
/// The inductive proof over tables of any size (uninterpreted entries): every obligation holds for every kernel
/// profile, and each mutant that breaks one is caught with a counterexample to induction.
/// </summary>
public sealed class InductionTests
{
    // A bound on the whole run (every profile and obligation), far above what it takes.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public void Every_obligation_is_proved_for_every_kernel_profile()
    {
        var report = InductionProver.Run(KernelProfile.All, KernelMutant.None, Timeout);
        Assert.Equal(KernelProfile.All.Count * InductionProver.Queries.Count, report.Results.Count);
        Assert.All(report.Results, r => Assert.True(r.Outcome is SmtUnsat, $"{r.Profile.Name} {r.Query.Id}: {r.Outcome}"));
        Assert.True(report.AllProved);
    }

    public static TheoryData<string, string[]> MutantsAndBrokenObligations() => new()
    {
        { "no-confirm-clash-check", ["confirm-preserves-uniqueness"] },
        { "dst-null-binding-changes-port", ["dst-null-binding-changes-nothing"] },
        { "probe-sees-unconfirmed", ["free-src-null-binding-is-identity"] },
        { "no-null-binding", [] },
        { "init-conntrack-links-entry", ["conntrack-in-preserves-invariant"] },
        { "nat-alters-confirmed-reply", ["nat-setup-preserves-invariant"] },
        { "ct-delete-leaves-reply-node", ["conntrack-in-preserves-invariant", "nat-setup-preserves-invariant", "ctnetlink-delete-preserves-invariant", "gc-preserves-invariant"] },
        { "insert-skips-reply-check", ["ctnetlink-insert-preserves-uniqueness"] },
        // Out of range, the SRC null binding may also reuse a find_appropriate_src mapping, whose port can be in any class.
        {
            "null-binding-takes-other-address",
            ["null-binding-keeps-addresses", "dst-null-binding-changes-nothing", "null-binding-port-stays-in-class", "free-src-null-binding-is-identity", "free-dst-null-binding-is-identity"]
        },
        { "port-search-ignores-class", ["null-binding-port-stays-in-class"] },
    };

    /// <summary>Each mutant fails exactly the obligations it breaks, under every profile.</summary>
    [Theory]
    [MemberData(nameof(MutantsAndBrokenObligations))]
    public void Each_mutant_fails_exactly_the_obligations_it_breaks(string mutant, string[] broken)
    {
        Assert.True(KernelMutantNames.TryParse(mutant, proofOnlyToo: true, out var m));
        var report = InductionProver.Run(KernelProfile.All, m, Timeout);
        foreach (var r in report.Results)
        {
            if (broken.Contains(r.Query.Id))
            {
                var sat = Assert.IsType<SmtSat>(r.Outcome);
                Assert.NotEmpty(sat.Counterexample.Describe());
            }
            else
            {
                Assert.True(r.Outcome is SmtUnsat, $"{r.Profile.Name} {r.Query.Id}: {r.Outcome}");
            }
        }
    }

    /// <summary>
    /// Every obligation can fail: some mutant of the step it is derived from (a changed kernel function, encoded by the
    /// same <c>NatEncoder</c>/<c>TableEffects</c> the proof uses, never a changed obligation) breaks it with a
    /// counterexample to induction, so none is true by construction of its encoding.
    /// </summary>
    [Fact]
    public void Every_obligation_has_a_mutant_that_breaks_it()
    {
        var unbroken = InductionProver.Queries.Select(q => q.Id).ToHashSet();
        foreach (var m in KernelMutantNames.All.Concat(KernelMutantNames.ProofOnly))
        {
            foreach (var r in InductionProver.Run([KernelProfile.Linux612], m, Timeout).Results.Where(r => r.Outcome is SmtSat))
            {
                unbroken.Remove(r.Query.Id);
            }
        }

        Assert.True(unbroken.Count == 0, "no mutant breaks: " + string.Join(", ", unbroken));
    }

    [Fact]
    public void An_insert_that_does_not_look_up_its_reply_is_shown_linking_a_duplicate_reply()
    {
        var report = InductionProver.Run([KernelProfile.Linux612], KernelMutant.InsertSkipsReplyCheck, Timeout);
        var sat = Assert.IsType<SmtSat>(report.Results.Single(r => r.Query.Id == "ctnetlink-insert-preserves-uniqueness").Outcome);
        var text = string.Join("\n", sat.Counterexample.Describe());
        Assert.Contains("nf_conntrack_hash_check_insert(X): inserted without looking up the reply tuple", text, StringComparison.Ordinal);
        Assert.Contains("linked nodes of two different entries are equal", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delete_that_leaves_the_reply_node_hashed_is_shown_as_a_linked_dying_entry()
    {
        var report = InductionProver.Run([KernelProfile.Linux612], KernelMutant.CtDeleteLeavesReplyNode, Timeout);
        var sat = Assert.IsType<SmtSat>(report.Results.Single(r => r.Query.Id == "ctnetlink-delete-preserves-invariant").Outcome);
        var text = string.Join("\n", sat.Counterexample.Describe());
        Assert.Contains("ORIGINAL node unlinked, reply node left hashed", text, StringComparison.Ordinal);
        Assert.Contains("a DYING entry still has a linked node", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NAT_rewriting_a_confirmed_reply_in_place_is_shown_as_a_duplicate_node()
    {
        var report = InductionProver.Run([KernelProfile.Linux612], KernelMutant.NatAltersConfirmedReply, Timeout);
        var sat = Assert.IsType<SmtSat>(report.Results.Single(r => r.Query.Id == "nat-setup-preserves-invariant").Outcome);
        var text = string.Join("\n", sat.Counterexample.Describe());
        Assert.Contains("(linked) rewritten in place to", text, StringComparison.Ordinal);
        Assert.Contains("linked nodes of two different entries are equal", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_clash_check_mutant_gets_a_readable_counterexample_to_induction()
    {
        var report = InductionProver.Run([KernelProfile.Linux612], KernelMutant.NoConfirmClashCheck, Timeout);
        var sat = Assert.IsType<SmtSat>(report.Results.Single(r => r.Query.Id == "confirm-preserves-uniqueness").Outcome);
        var text = string.Join("\n", sat.Counterexample.Describe());
        Assert.Contains("table before the step (satisfies the invariant)", text, StringComparison.Ordinal);
        Assert.Contains("__nf_conntrack_confirm(X): inserted", text, StringComparison.Ordinal);
        Assert.Contains("without scanning for clashes", text, StringComparison.Ordinal);
        Assert.Matches(@"(reply|original) node of (E1|X) = (reply|original) node of (E1|X) = (tcp|udp) 198\.51\.100\.\d+:\d+ -> 198\.51\.100\.\d+:\d+", text);
    }
}
