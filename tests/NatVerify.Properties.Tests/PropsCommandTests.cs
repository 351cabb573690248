using System.Text.RegularExpressions;
using NatVerify.Cli;
using NatVerify.Model;

namespace NatVerify.Properties.Tests;

/// <summary><c>natverify props</c> end to end, in-process: table, seed, exit codes, replay of what it prints and saves.</summary>
public partial class PropsCommandTests
{
    private static (ExitCode Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = App.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Props_on_the_seed_race_passes_on_the_real_kernel_and_prints_its_seed_and_table()
    {
        var (code, output, _) = Run("props", "seed:race-unconstrained", "--seed", "42", "--count", "40", "--schedules", "200");
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("seed: 42", output);
        Assert.Contains("| linked-tuple-uniqueness ", output);
        Assert.Contains("| law:fingerprint-stable ", output);
        Assert.Contains("spec schedules (random walk)", output);
        Assert.Contains("spec schedules (pct, d=3)", output);
        Assert.DoesNotContain("FAILED", output);
    }

    [Fact]
    public void Props_without_a_seed_takes_one_and_prints_it()
    {
        var (code, output, _) = Run("props", "--count", "5", "--property", "drop-explained");
        Assert.Equal(ExitCode.Holds, code);
        Assert.Matches(SeedLine(), output);
    }

    [Fact]
    public void Props_under_a_mutant_exits_1_and_its_printed_schedule_and_saved_files_reproduce_the_violation()
    {
        var dir = Directory.CreateTempSubdirectory("nvprops-").FullName;
        try
        {
            var (code, output, _) = Run("props", "seed:race-unconstrained", "--seed", "7", "--mutant", "probe-sees-unconfirmed", "--out", dir);
            Assert.Equal(ExitCode.Violated, code);
            Assert.Contains("FAILED", output);

            var replay = ReplayLine().Match(output);
            Assert.True(replay.Success, output);
            var (again, trace, _) = Run("props", "seed:race-unconstrained", "--replay", replay.Groups[1].Value, "--profile", "linux-6.12", "--mutant", "probe-sees-unconfirmed");
            Assert.Equal(ExitCode.Violated, again);
            Assert.Contains("VIOLATED after step", trace);

            var spec = Directory.GetFiles(dir, "null-binding-identity-when-free-*.yaml").Single();
            var (checkCode, _, _) = Run("check", spec, "--mutant", "probe-sees-unconfirmed");
            Assert.Equal(ExitCode.Violated, checkCode);
            var (realCode, _, _) = Run("check", spec);
            Assert.Equal(ExitCode.Holds, realCode);
            Assert.NotEmpty(Directory.GetFiles(dir, "*.trace.json"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Props_on_a_bare_ruleset_file_uses_its_rules()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n");
            var (code, output, error) = Run("props", "--ruleset", file, "--interface", "eth0=198.51.100.1", "--seed", "3", "--count", "30");
            Assert.True(code == ExitCode.Holds, output + error);
            Assert.Contains("| no-avoidable-drop ", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("props", "--count", "0")]
    [InlineData("props", "--seed", "banana")]
    [InlineData("props", "--profile", "linux-1.0")]
    [InlineData("props", "--mutant", "no-such-mutant")]
    [InlineData("props", "--property", "no-such-property")]
    [InlineData("props", "--strategy", "dfs")]
    [InlineData("props", "--replay", "0,1")]
    [InlineData("props", "seed:race-unconstrained", "--replay", "0,x")]
    [InlineData("props", "seed:no-such-spec")]
    [InlineData("props", "/no/such/spec.yaml")]
    [InlineData("props", "--ruleset", "/no/such/rules.v4")]
    [InlineData("props", "--interface", "eth0=198.51.100.1")]
    public void Props_with_bad_input_exits_2_with_an_error_and_no_stack_trace(params string[] args)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(ExitCode.BadInput, code);
        Assert.StartsWith("error: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Props_runs_every_profile_with_profile_all()
    {
        var (code, output, _) = Run("props", "--seed", "5", "--count", "10", "--profile", "all", "--property", "reply-routing");
        Assert.Equal(ExitCode.Holds, code);
        foreach (var profile in KernelProfile.All)
        {
            Assert.Contains(profile.Name, output);
        }
    }

    [GeneratedRegex(@"seed: \d+ \(run again with --seed \d+\)")]
    private static partial Regex SeedLine();

    [GeneratedRegex(@"replay: natverify props seed:race-unconstrained --replay '([0-9,]*)'")]
    private static partial Regex ReplayLine();
}
