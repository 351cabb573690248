using NatVerify.Model.Steps;
using NatVerify.Oracle.Model;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// The model witness `natverify oracle --verbose` prints names the chain walker the kernel ran for the rule that
/// decided a NAT step: <c>nft_do_chain</c> (nf_tables_core.c) for a chain from nft, <c>ipt_do_table</c> for iptables-save.
/// </summary>
public class WitnessKernelFunctionTests
{
    [Fact]
    public void Witness_of_an_nft_masquerade_names_nft_do_chain()
    {
        var steps = NatRuleSteps("specs/rules/nft-two-nat-chains.yaml");
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.Contains("-> nft_do_chain ->", s.KernelFunction, StringComparison.Ordinal));
        Assert.All(steps, s => Assert.DoesNotContain("ipt_do_table", s.KernelFunction, StringComparison.Ordinal));
    }

    [Fact]
    public void Witness_of_an_iptables_masquerade_names_ipt_do_table()
    {
        var steps = NatRuleSteps("specs/oracle/masquerade-port-range.yaml");
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.Contains("-> ipt_do_table ->", s.KernelFunction, StringComparison.Ordinal));
    }

    private static List<NatSetup> NatRuleSteps(string file) =>
        ModelPredictions.Compute(OracleEnvironment.Load(file)).Predictions
            .SelectMany(p => p.Witness().Steps)
            .Select(s => s.Action)
            .OfType<NatSetup>()
            .Where(s => s.Decision == NatDecision.Rule)
            .ToList();
}
