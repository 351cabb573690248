using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NatVerify.Reference;

namespace NatVerify.Reference.Tests;

/// <summary>
/// The Promela we generate from MODEL.md is SPIN's view of the same model: for a spread of variants (det/nd,
/// injector, mutant), <c>spin -a</c> + <c>gcc -DSAFETY -DNOREDUCE</c> + <c>pan</c> stores exactly the unreduced state
/// count of Data/spin-table-a.csv, and finds the mutant's violation. Needs <c>spin</c> and <c>gcc</c> (Long trait;
/// scripts/setup.sh installs them; the tests that run SPIN carry the Long trait).
/// </summary>
public sealed partial class PromelaTests
{
    [Theory]
    [InlineData("N2_K4_det")]
    [InlineData("N3_K8_nd_inj")]
    [InlineData("N4_K16_nd")]
    [InlineData("N5_K4_det_inj")]
    [InlineData("N5_K8_nd_inj")]
    [InlineData("N6_K4_det")]
    [Trait("Category", "Long")]
    public void Spin_stores_the_same_states_for_the_generated_promela(string model)
    {
        (long stored, int errors) = RunSpin(RefVariant.Parse(model));
        Assert.Equal(SpinFacts.Row(model).NoReduceStates, stored);
        Assert.Equal(0, errors);
    }

    [Theory]
    [InlineData("N2_K4_det_mut")]
    [InlineData("N4_K8_nd_inj_mut")]
    [Trait("Category", "Long")]
    public void Spin_finds_the_mutant_violation_in_the_generated_promela(string model)
    {
        (_, int errors) = RunSpin(RefVariant.Parse(model));
        Assert.Equal(1, errors);
    }

    [Fact]
    public void Generated_promela_names_every_flow_and_the_never_claim()
    {
        string text = PromelaGenerator.Generate(RefVariant.Parse("N3_K4_nd_inj"));
        Assert.Contains("active proctype f0()", text, StringComparison.Ordinal);
        Assert.Contains("active proctype f2()", text, StringComparison.Ordinal);
        Assert.DoesNotContain("active proctype f3()", text, StringComparison.Ordinal);
        Assert.Contains("active proctype injector()", text, StringComparison.Ordinal);
        Assert.Contains("never {", text, StringComparison.Ordinal);
    }

    private static (long Stored, int Errors) RunSpin(RefVariant variant)
    {
        string dir = Directory.CreateTempSubdirectory("nv-promela-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "m.pml"), PromelaGenerator.Generate(variant));
            Run(dir, "spin", "-a m.pml");
            Run(dir, "gcc", "-O1 -DSAFETY -DNOREDUCE -DMEMLIM=2048 -o pan pan.c");
            string output = Run(dir, Path.Combine(dir, "pan"), "-m10000 -w20");
            long stored = long.Parse(StoredPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            int errors = int.Parse(ErrorsPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            return (stored, errors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string dir, string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed (apt-get install spin gcc; scripts/compare-spin.sh does it): {e.Message}", e);
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {arguments} did not finish in 2 minutes");
            }

            return stdout.Result + stderr.Result;
        }
    }

    [GeneratedRegex(@"([0-9]+) states, stored")]
    private static partial Regex StoredPattern();

    [GeneratedRegex(@"errors: ([0-9]+)")]
    private static partial Regex ErrorsPattern();
}
