using System.Text.RegularExpressions;
using NatVerify.Cluster.Nat;
using NatVerify.Model;
using NatVerify.Policy;
using NatVerify.Policy.Inputs;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>
/// <c>natverify policy --cluster</c>: the witness scenarios a policy analysis checks run on three in-process silos and
/// give the same report as the checks in this process (findings with their severities, rules, messages, consequences
/// and witness specs, and the same inconclusive reason), on the shipped policy examples (specs/policies) that have
/// witnessed findings and on one without.
/// </summary>
public sealed class PolicyOnClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Theory]
    [InlineData("seed-fixed-port", "ruleset.iptables-save")]
    [InlineData("kube-proxy-iptables", "ruleset.iptables-save")]
    [InlineData("masquerade-plain", "ruleset.nft")]
    [InlineData("gateway-dead-rules", "ruleset.iptables-save")]
    public void Policy_witnesses_checked_on_the_cluster_give_the_same_report(string example, string rulesetFile)
    {
        var dir = Specs.Path(Path.Combine("specs", "policies", example));
        var context = Path.Combine(dir, "context.yaml");
        var host = HostContextLoader.Load(File.Exists(context) ? context : null, null, null, null);
        var (rules, format) = RulesetLoader.Load(Path.Combine(dir, rulesetFile), null);
        var options = new PolicyOptions { Profile = KernelProfile.Linux612 };

        var local = PolicyAnalyzer.Analyze(rules, rulesetFile, format, host, options);
        var onCluster = 0;
        var cluster = PolicyAnalyzer.Analyze(rules, rulesetFile, format, host, options with
        {
            WitnessChecker = (name, text, settings) =>
            {
                onCluster++;
                return ClusterVerifier.CheckAsync(fixture.Cluster.Client, name, text, settings, 5).GetAwaiter().GetResult().Result;
            },
        });

        Assert.Equal(local.Inconclusive, cluster.Inconclusive);
        Assert.Equal(local.Findings.Select(Describe), cluster.Findings.Select(Describe));
        var witnessed = local.Findings.Count(f => f.WitnessSpec is not null);
        if (witnessed > 0)
        {
            // The checks really ran on the cluster (repeated scenarios are checked once, so at most one per witness).
            Assert.InRange(onCluster, 1, witnessed);
        }
        else
        {
            Assert.Equal(0, onCluster);
        }
    }

    private static string Describe(Finding f) =>
        $"{f.Class} {f.Severity} [{string.Join(" | ", f.Rules.Select(r => $"{r.Line}: {r.Text}"))}] {f.Message} "
        + $"{{{string.Join("; ", f.ConsequenceByProfile.Select(c => $"{c.Key}={c.Value}"))}}}\n{Sets(f.WitnessSpec)}";

    /// <summary>
    /// The witness spec with each pinned outcome list (<c>name: [a, b]</c> under <c>expect.outcomes</c>, a set) in
    /// ordinal order: the witness lists outcomes in the order the search met them, which on the cluster depends on
    /// which partition answered first; the set is what must be equal.
    /// </summary>
    private static string? Sets(string? spec) => spec is null ? null : Regex.Replace(spec, @"^(    [^:\n]+: )\[([^\]\n]*)\]$", m =>
        m.Groups[1].Value + "[" + string.Join(", ", m.Groups[2].Value.Split(", ").Order(StringComparer.Ordinal)) + "]", RegexOptions.Multiline);
}
