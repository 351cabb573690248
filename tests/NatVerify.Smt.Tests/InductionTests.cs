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
    };

    /// <summary>Each mutant fails exactly the obligations it breaks, under every profile.</summary>
    [Theory]
    [MemberData(nameof(MutantsAndBrokenObligations))]
    public void Each_mutant_fails_exactly_the_obligations_it_breaks(string mutant, string[] broken)
    {
        KernelMutantNames.TryParse(mutant, out var m);
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
