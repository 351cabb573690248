using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace NatVerify.Cli.Tests;

/// <summary>
/// The CLI packed as a .NET tool installs into a temporary --tool-path and its commands run from there: the embedded
/// seed specs, the packaged Z3 shim and the policy corpus input all work from the installed tool. One pack per test run
/// (a class fixture): by default the CLI build this test project already made is packed with <c>dotnet pack
/// --no-build</c> (seconds of CPU; a full <c>scripts/pack.sh</c> recompiles every project in Release and runs
/// Crossgen2, about 10 minutes on the shared CI machine), unless NATVERIFY_NUPKG names an already packed
/// natverify.*.nupkg. The ReadyToRun package scripts/pack.sh makes is installed and checked by
/// <see cref="PackScriptTests"/> (Category Long).
/// </summary>
public sealed class ToolInstallTests(ToolInstallTests.InstalledTool tool) : IClassFixture<ToolInstallTests.InstalledTool>
{
    /// <summary>Installs the tool once for every test of the class; deletes the tool path afterwards.</summary>
    public sealed class InstalledTool : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("natverify-tool-").FullName;

        public InstalledTool()
        {
            var nupkg = Environment.GetEnvironmentVariable("NATVERIFY_NUPKG");
            if (string.IsNullOrEmpty(nupkg))
            {
                nupkg = PackTestBuild(_dir);
            }

            Install(nupkg);
        }

        /// <summary>Installs <paramref name="nupkg"/>'s tool into this fixture's tool path.</summary>
        internal InstalledTool(string nupkg) => Install(nupkg);

        private void Install(string nupkg)
        {
            var feed = Path.GetDirectoryName(Path.GetFullPath(nupkg))!;
            var version = Path.GetFileNameWithoutExtension(nupkg)["natverify.".Length..];
            ToolPath = Path.Combine(_dir, "tools");
            var install = Run("dotnet", ["tool", "install", "natverify", "--tool-path", ToolPath, "--add-source", feed, "--version", version], TimeSpan.FromMinutes(5));
            Assert.True(install.Code == 0, $"dotnet tool install exited {install.Code}:\n{install.Out}\n{install.Err}");
            Version = version;
        }

        public string ToolPath { get; private set; } = string.Empty;

        public string Version { get; private set; } = string.Empty;

        /// <summary>
        /// Packs the CLI as built for this test run (the test project references it, so its Debug or Release output is
        /// current) without building again; the nuspec goes to the temporary directory, so nothing under src/ is written
        /// while other test projects build.
        /// </summary>
        private static string PackTestBuild(string dir)
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var feed = Path.Combine(dir, "feed");
            var (code, stdout, stderr) = Run("dotnet", [
                "pack", Path.Combine(CliRunner.Root, "src", "NatVerify.Cli", "NatVerify.Cli.csproj"), "-c", configuration, "--no-build",
                "-o", feed, $"-p:NuspecOutputPath={Path.Combine(dir, "nuspec")}{Path.DirectorySeparatorChar}", "-nologo", "-v", "q"], TimeSpan.FromMinutes(10));
            Assert.True(code == 0, $"dotnet pack --no-build exited {code}:\n{stdout}\n{stderr}");
            return Directory.GetFiles(feed, "natverify.*.nupkg").Single();
        }

        public (int Code, string Out, string Err) Natverify(params string[] args) =>
            Run(Path.Combine(ToolPath, "natverify"), args, TimeSpan.FromMinutes(5));

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        internal static (int Code, string Out, string Err) RunTool(string file, IEnumerable<string> args, TimeSpan limit) => Run(file, args, limit);
    }

    /// <summary>
    /// Each command a user runs first, from the installed tool, with --json so the result is checked, not grepped.
    /// Adding a command is one line; policy, which needs a ruleset path, has its own test below.
    /// </summary>
    [Theory]
    [InlineData("check", "seed:race-unconstrained", 0)]
    [InlineData("check", "seed:race-unconstrained --mutant no-null-binding", 1)]
    [InlineData("prove", "--induction", 0)]
    [InlineData("prove", "seed:race-unconstrained --bmc 8", 0)]
    public void Installed_tool_runs_the_command_and_its_json_validates(string command, string arguments, int expectedExit)
    {
        var (code, stdout, stderr) = tool.Natverify([command, .. arguments.Split(' '), "--json"]);
        Assert.True(code == expectedExit, $"exit {code}, expected {expectedExit}:\n{stderr}");
        JsonSchemaValidator.AssertValid(stdout);
        Assert.Equal(command, JsonDocument.Parse(stdout).RootElement.GetProperty("command").GetString());
    }

    [Fact]
    public void Installed_tool_runs_policy_on_a_corpus_ruleset_and_its_json_validates()
    {
        // seed-fixed-port has a fixed-port error: exit 1 at the default --fail-on warning.
        var ruleset = Path.Combine(CliRunner.Root, "specs", "policies", "seed-fixed-port", "ruleset.iptables-save");
        var (code, stdout, stderr) = tool.Natverify("policy", ruleset, "--kernel", "6.18", "--json");
        Assert.True(code == 1, $"exit {code}, expected 1:\n{stderr}");
        JsonSchemaValidator.AssertValid(stdout);
        var result = JsonDocument.Parse(stdout).RootElement.GetProperty("result");
        Assert.Contains(result.GetProperty("findings").EnumerateArray(), f => f.GetProperty("class").GetString() == "fixed-port");
    }

    [Fact]
    public void Installed_tool_prints_the_check_of_the_readme_and_its_version_with_the_commit()
    {
        var (code, stdout, _) = tool.Natverify("check");
        Assert.Equal(0, code);
        Assert.Contains("Verdict: HOLDS. Every checked property holds in all 39 reachable states (exhaustive).", stdout, StringComparison.Ordinal);

        var version = tool.Natverify("--version");
        Assert.Equal(0, version.Code);
        Assert.Matches($@"^natverify {System.Text.RegularExpressions.Regex.Escape(tool.Version)} \(commit [0-9a-f]{{40}}\)\s*$", version.Out);
    }

    [Fact]
    public void Installed_tool_carries_the_z3_shim()
    {
        var store = Directory.GetFiles(tool.ToolPath, "natverify.dll", SearchOption.AllDirectories).Single();
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(store)!, "libnv_z3shim.so")));
    }

    internal static bool IsReadyToRun(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    private static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, TimeSpan limit)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, stdout.Result, stderr.Result + $"\n(killed after {limit})");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>
/// scripts/pack.sh, as a user or CI packs the tool: a Release build with ReadyToRun images for linux-x64. Long: it
/// recompiles every project in Release and runs Crossgen2 (about 10 minutes on the shared machine).
/// </summary>
[Trait("Category", "Long")]
public sealed class PackScriptTests
{
    [Fact]
    public void Pack_script_makes_a_ready_to_run_tool_that_installs_and_checks_the_seed()
    {
        var dir = Directory.CreateTempSubdirectory("natverify-pack-").FullName;
        try
        {
            var (code, stdout, stderr) = ToolInstallTests.InstalledTool.RunTool(Path.Combine(CliRunner.Root, "scripts", "pack.sh"), [Path.Combine(dir, "feed")], TimeSpan.FromMinutes(30));
            Assert.True(code == 0, $"scripts/pack.sh exited {code}:\n{stderr}");
            using var tool = new ToolInstallTests.InstalledTool(stdout.Trim().Split('\n')[^1]);
            var store = Directory.GetFiles(tool.ToolPath, "natverify.dll", SearchOption.AllDirectories).Single();
            Assert.True(ToolInstallTests.IsReadyToRun(store), "natverify.dll has no ReadyToRun header");
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(store)!, "libnv_z3shim.so")));
            Assert.Equal(0, tool.Natverify("check").Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
