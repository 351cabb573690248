using NatVerify.Cli;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary><c>natverify oracle</c> from the command line: exit codes and messages.</summary>
[Collection(KernelCollection.Name)]
public class CliOracleTests
{
    [Theory]
    [InlineData("specs/seed/race-ctnetlink.yaml", "the oracle cannot run this scenario")]
    [InlineData("specs/seed/does-not-exist.yaml", "cannot read spec")]
    public void Scenario_the_oracle_cannot_run_is_bad_input_with_the_reason(string spec, string message)
    {
        var (code, _, err) = Run("oracle", Path.Combine(OracleEnvironment.Root, spec));
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--runs", "0", "--runs must be 1-1000")]
    [InlineData("--flow-timeout", "5", "--flow-timeout must be 50-10000 ms")]
    [InlineData("--mutant", "no-such", "unknown mutant 'no-such'")]
    [InlineData("--profile", "linux-2.6", "unknown kernel profile 'linux-2.6'")]
    public void Bad_options_are_bad_input(string option, string value, string message)
    {
        var (code, _, err) = Run("oracle", "seed:thief-first", option, value);
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [OracleFact]
    public void Seed_client_first_agrees_on_the_kernel_with_exit_code_zero()
    {
        var (code, output, err) = Run("oracle", "seed:client-first", "--runs", "2", "--seed", "11");
        Assert.True(code == ExitCode.Holds, output + err);
        Assert.Contains("seed 11", output, StringComparison.Ordinal);
        Assert.Contains("run 1   AGREE", output, StringComparison.Ordinal);
        Assert.Contains("result  2/2 runs agree with the model", output, StringComparison.Ordinal);
    }

    [OracleFact]
    public void Disagreement_exits_with_one()
    {
        var (code, output, _) = Run("oracle", "seed:thief-first", "--mutant", "no-null-binding", "--seed", "12");
        Assert.Equal(ExitCode.Violated, code);
        Assert.Contains("DISAGREE", output, StringComparison.Ordinal);
    }

    private static (ExitCode Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = App.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
