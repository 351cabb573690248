using NatVerify.Oracle.Kernel;
using NatVerify.Specs;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// Every spec tagged <c>oracle</c> is run on the live kernel <see cref="Runs"/> times, each run on freshly built
/// namespaces, and every run must be one of the model's terminal states (ports compared by class and
/// freshness). Each test also checks that the oracle's namespaces after the runs are exactly those before.
/// </summary>
[Collection(KernelCollection.Name)]
public class OracleScenarioTests(ITestOutputHelper output)
{
    /// <summary>Independent runs per scenario.</summary>
    public const int Runs = 2;

    public static TheoryData<string> OracleSpecs()
    {
        var data = new TheoryData<string>();
        foreach (var file in OracleSpecFiles())
        {
            data.Add(file);
        }

        return data;
    }

    /// <summary>Every spec under specs/ tagged <c>oracle</c>, relative to the repository root.</summary>
    public static IReadOnlyList<string> OracleSpecFiles() =>
        TestSupport.RepositoryFiles.ScenarioSpecs()
            .Where(file => SpecLoader.LoadFile(file).Tags.Contains("oracle"))
            .Select(file => Path.GetRelativePath(OracleEnvironment.Root, file))
            .ToList();

    [Fact]
    public void The_oracle_corpus_covers_the_issues_scenarios()
    {
        var names = OracleSpecFiles();
        Assert.Contains("specs/seed/thief-first.yaml", names);
        Assert.Contains("specs/seed/client-first.yaml", names);
        Assert.Contains("specs/oracle/ctnetlink-first.yaml", names);
        Assert.Contains("specs/oracle/port-classes.yaml", names);
        Assert.Contains("specs/oracle/dnat-collision.yaml", names);
        Assert.Contains("specs/oracle/masquerade-port-range.yaml", names);
        Assert.Contains("specs/oracle/udp-race-dnat-range.yaml", names);

        // Issue 12's behaviours and issue 11's notations.
        foreach (var spec in new[]
        {
            "udp-reply-to-source", "gre-null-binding-clash", "icmp-snat-id-range", "icmp-dnat-id-range", "tcp-fin-reopen", "tcp-syn-retry",
            "tcp-single-port-reuse", "tcp-small-range-reuse", "tcp-rst-reopen", "ctnetlink-no-nat", "ctnetlink-no-nat-nft", "ctnetlink-no-nat-nft-json",
        })
        {
            Assert.Contains($"specs/oracle/{spec}.yaml", names);
        }

        // Issue 12, round two: reply-direction SYNs (tcp_conntracks), raw notrack and conntrack left inactive.
        Assert.Contains("specs/oracle/tcp-reply-syn.yaml", names);
        Assert.Contains("specs/oracle/tcp-reply-syn-invalid-drop.yaml", names);
        Assert.Contains("specs/rules/raw-notrack.yaml", names);
        Assert.Contains("specs/rules/nat-accept-only-untracked.yaml", names);

        // Issue 11's rule behaviours: a filter DROP before confirm, a mangle MARK selecting SNAT, several nft nat
        // chains on one hook ordered by priority.
        foreach (var spec in new[] { "filter-drop-before-confirm", "mangle-mark-selects-snat", "nft-two-nat-chains" })
        {
            Assert.Contains($"specs/rules/{spec}.yaml", names);
        }

        // Interfaces with several addresses (primary, secondary, second primary): MASQUERADE's inet_select_addr.
        Assert.Contains("specs/oracle/masquerade-primary-by-subnet.yaml", names);
        Assert.Contains("specs/rules/masquerade-on-link-address.yaml", names);

        // fw3's --ctstate DNAT and fw4's ct status dnat after a PREROUTING DNAT (IPS_DST_NAT).
        Assert.Contains("specs/rules/ctstate-dnat-accepts-port-forward.yaml", names);
        Assert.Contains("specs/rules/ct-status-dnat-accepts-port-forward-nft.yaml", names);
    }

    [OracleTheory]
    [MemberData(nameof(OracleSpecs))]
    public void Kernel_agrees_with_the_model_on_every_run(string file)
    {
        Netns.DeleteStale();
        var before = OracleEnvironment.OracleNamespaces();
        var report = OracleRunner.Run(OracleEnvironment.Load(file), new OracleOptions { Agent = OracleEnvironment.Agent, Runs = Runs, Seed = 4 });
        var text = new StringWriter();
        OracleReportWriter.Write(report, text, verbose: true);
        output.WriteLine(text.ToString());
        Assert.Equal(Runs, report.Runs.Count);
        Assert.True(report.AllAgree, text.ToString());
        Assert.Equal(before, OracleEnvironment.OracleNamespaces());
    }
}
