using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Fuzz.Tests;

/// <summary>
/// The AFL++ harness (<see cref="AflHarness"/>, run by <c>scripts/afl-fuzz.sh</c>): its input format reaches every
/// parser, its seeds cover every parser, and every input afl-fuzz ever reported as a crash or hang, kept as a file in
/// <c>AflRegressions/</c>, now ends in a parse or a located error.
/// </summary>
public sealed class AflHarnessTests(ITestOutputHelper output)
{
    private static readonly string RegressionDirectory = Path.Combine(FuzzCorpus.Root, "tests", "NatVerify.Fuzz.Tests", "AflRegressions");

    [Fact]
    public void Every_recorded_afl_finding_ends_in_a_parse_or_a_located_error()
    {
        var files = Directory.EnumerateFiles(RegressionDirectory).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var failures = new List<string>();
        foreach (var file in files)
        {
            var (target, text) = AflHarness.Decode(File.ReadAllBytes(file));
            // Bounded, so that an input that once hung fails the test instead of hanging it.
            var outcome = Fuzzer.Execute(target, text, TimeSpan.FromSeconds(20));
            output.WriteLine($"{Path.GetFileName(file)}: {target}: {outcome ?? "parsed"}");
            if (outcome is not (null or "rejected"))
            {
                failures.Add($"{Path.GetFileName(file)} ({target}): {outcome.Split('\n')[0]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_selector_byte_reaches_every_parser_and_the_text_survives_the_round_trip()
    {
        Assert.Equal(Enum.GetValues<FuzzTarget>().Order(), AflHarness.Targets.Order());
        foreach (var target in AflHarness.Targets)
        {
            Assert.Equal((target, "a: \"é\"\n"), AflHarness.Decode(AflHarness.Encode(target, "a: \"é\"\n")));
        }

        // Any byte selects a parser, and invalid UTF-8 becomes U+FFFD as it does when the CLI reads a file.
        Assert.Equal((AflHarness.Targets[200 % AflHarness.Targets.Count], "x\uFFFD"), AflHarness.Decode([200, (byte)'x', 0xFF]));
        Assert.Equal(FuzzTarget.Spec, AflHarness.Decode([]).Target);
    }

    [Fact]
    public void The_verdict_accepts_parses_and_located_errors_only()
    {
        Assert.Null(AflHarness.Verdict(AflHarness.Encode(FuzzTarget.NftText, "table ip nat {")));
        Assert.Null(AflHarness.Verdict(AflHarness.Encode(FuzzTarget.Conntrack, "-D -p tcp --orig-src 192.0.2.1")));
        // A byte-order mark says UTF-16: the text is decoded as the CLI would, and parsing it is still a located error.
        Assert.Null(AflHarness.Verdict([0, 0xFF, 0xFE, (byte)'[', 0]));
    }

    [Fact]
    public void The_seed_corpus_has_inputs_for_every_parser()
    {
        var dir = Directory.CreateTempSubdirectory("natverify-afl-seeds-").FullName;
        try
        {
            var written = AflHarness.WriteSeeds(dir);
            var targets = Directory.EnumerateFiles(dir).Select(f => AflHarness.Decode(File.ReadAllBytes(f)).Target).ToHashSet();
            Assert.Equal(written, Directory.EnumerateFiles(dir).Count());
            Assert.All(AflHarness.Targets, t => Assert.Contains(t, targets));
            Assert.All(Directory.EnumerateFiles(dir), f => Assert.True(new FileInfo(f).Length <= AflHarness.MaxSeedBytes));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
