using Xunit;

namespace NatVerify.Cli.Tests;

/// <summary>
/// <c>--allow-outside-files</c>: a spec's <c>ruleset-file:</c> is confined to the spec's directory unless the user
/// lifts the confinement on the command line (docs/security.md).
/// </summary>
public sealed class AllowOutsideFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("natverify-outside-").FullName;
    private readonly string _spec;

    public AllowOutsideFilesTests()
    {
        var specs = Directory.CreateDirectory(Path.Combine(_root, "specs")).FullName;
        File.WriteAllText(Path.Combine(_root, "outside.rules"), """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
            COMMIT

            """);
        _spec = Path.Combine(specs, "outside.yaml");
        File.WriteAllText(_spec, """
            name: ruleset-outside
            description: the ruleset file lies next to the spec's directory, not in it
            interfaces:
              veth0: 198.51.100.1
            ruleset-file: ../outside.rules
            actors:
              - name: thief
                flow: 198.51.100.1:54321 -> 198.51.100.2:80
                mark: 0x64
              - name: client
                flow: 198.51.100.1:12345 -> 198.51.100.2:80
            """);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("check")]
    [InlineData("mutants")]
    [InlineData("props")]
    [InlineData("prove")]
    public void A_ruleset_file_outside_the_spec_directory_is_refused_by_default(string command)
    {
        string[] args = command == "prove" ? [command, _spec, "--bmc", "2"] : [command, _spec];
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains("'ruleset-file' must name a file in the spec's directory or below it (got '../outside.rules')", stderr);
    }

    [Fact]
    public void Check_with_allow_outside_files_reads_the_ruleset_and_runs()
    {
        var (code, stdout, stderr) = CliRunner.Run("check", _spec, "--allow-outside-files");
        Assert.True(code == ExitCode.Holds, stdout + stderr);
        Assert.Contains("thief: mapped by a NAT rule", stdout);
    }

    [Fact]
    public void Prove_with_allow_outside_files_reads_the_ruleset_and_runs()
    {
        var (code, stdout, stderr) = CliRunner.Run("prove", _spec, "--bmc", "8", "--no-outcomes", "--allow-outside-files");
        Assert.True(code == ExitCode.Holds, stdout + stderr);
        Assert.Contains("linked-tuple-uniqueness", stdout);
    }

    [Fact]
    public void The_option_is_documented_in_help()
    {
        var (_, stdout, _) = CliRunner.Run("check", "--help");
        Assert.Contains("--allow-outside-files", stdout);
    }
}
