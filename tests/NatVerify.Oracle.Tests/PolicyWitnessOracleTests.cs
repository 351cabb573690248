using NatVerify.Model;
using NatVerify.Model.Scenario;
using NatVerify.Oracle.Kernel;
using NatVerify.Policy;
using NatVerify.Policy.Inputs;
using NatVerify.Specs;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// The witnesses <c>natverify policy</c> writes are scenarios the live kernel can run: a corpus policy's finding is
/// analysed, its witness spec is handed to the oracle as written, every run must agree with the model, and every run
/// must show the finding itself on the kernel (the drop or the re-port), not merely some allowed outcome.
/// </summary>
[Collection(KernelCollection.Name)]
public class PolicyWitnessOracleTests(ITestOutputHelper output)
{
    private const int Runs = 2;

    [OracleFact]
    public void Fixed_port_witness_of_the_seed_policy_drops_the_second_flow_on_the_kernel()
    {
        var report = RunWitness("seed-fixed-port", null, FindingClass.FixedPort);
        foreach (var run in report.Runs)
        {
            // The witness is sequential: the second flow of the one-port SNAT must lose at confirm, every time.
            Assert.Equal(OutcomeKind.Dropped, run.Comparison.Closest!.Flows["second"].Outcome.Kind);
            Assert.True(run.Observation.Counters["insert_failed"] >= 1, run.Observation.Counters.ToString());
        }
    }

    [OracleFact]
    public void Collision_witness_of_the_home_router_re_ports_or_drops_one_flow_on_the_kernel()
    {
        var report = RunWitness("home-router", "context.yaml", FindingClass.Collision);
        foreach (var run in report.Runs)
        {
            // Both DNATs map one client address:port onto one backend: whichever is confirmed second is re-ported
            // by the null binding or dropped at confirm; never do both keep their tuples.
            var flows = run.Comparison.Closest!.Flows.Values.ToList();
            Assert.Contains(flows, f => f.Outcome.Kind == OutcomeKind.Dropped || f.Outcome.Detail == "sport-rewritten");
        }
    }

    private OracleReport RunWitness(string policy, string? context, FindingClass cls)
    {
        var dir = Path.Combine(OracleEnvironment.Root, "specs", "policies", policy);
        var host = HostContextLoader.Load(context is null ? null : Path.Combine(dir, context), null, null, null);
        var profile = host.KernelVersion is { } v ? KernelVersions.ForVersion(v).Profile : KernelProfile.Linux612;
        var path = Path.Combine(dir, "ruleset.iptables-save");
        var (ruleset, format) = NatVerify.Policy.Inputs.RulesetLoader.Load(path, null);
        var analysis = PolicyAnalyzer.Analyze(ruleset, path, format, host, new PolicyOptions { Profile = profile });
        var finding = analysis.Findings.First(f => f.Class == cls);
        var spec = SpecLoader.Parse(finding.WitnessSpec!, $"{policy}-{cls.Name()}.yaml");
        Assert.Contains("oracle", spec.Tags);

        Netns.DeleteStale();
        var before = OracleEnvironment.OracleNamespaces();
        var report = OracleRunner.Run(spec, new OracleOptions { Agent = OracleEnvironment.Agent, Runs = Runs, Seed = 10 });
        var text = new StringWriter();
        OracleReportWriter.Write(report, text, verbose: true);
        output.WriteLine(text.ToString());
        Assert.Equal(Runs, report.Runs.Count);
        Assert.True(report.AllAgree, text.ToString());
        Assert.Equal(before, OracleEnvironment.OracleNamespaces());
        return report;
    }
}
