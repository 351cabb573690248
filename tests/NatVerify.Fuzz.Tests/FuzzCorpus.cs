using System.Runtime.CompilerServices;
using NatVerify.Cli;

namespace NatVerify.Fuzz.Tests;

/// <summary>The seed corpus: the repository's own inputs of every format, and traces recorded from a seed spec.</summary>
public static class FuzzCorpus
{
    /// <summary>Seed files larger than this are left out, so that a short run still covers every format many times.</summary>
    private const long MaxSeedBytes = 40_000;

    /// <summary>The repository root (the directory of NatVerify.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Loads the corpus (deterministic order).</summary>
    public static IReadOnlyList<(FuzzTarget Target, string Text)> Load()
    {
        var corpus = new List<(FuzzTarget, string)>();
        void Add(FuzzTarget target, IEnumerable<string> files)
        {
            foreach (var f in files.Where(f => new FileInfo(f).Length <= MaxSeedBytes).Order(StringComparer.Ordinal))
            {
                corpus.Add((target, File.ReadAllText(f)));
            }
        }

        string P(params string[] parts) => Path.Combine([Root, .. parts]);
        IEnumerable<string> Files(string dir, string pattern) => Directory.Exists(dir) ? Directory.EnumerateFiles(dir, pattern, SearchOption.AllDirectories) : [];

        Add(FuzzTarget.Spec, Files(P("specs", "seed"), "*.yaml").Concat(Files(P("specs", "oracle"), "*.yaml")).Concat(Files(P("specs", "k8s"), "*.yaml")).Concat(Files(P("specs", "selftests"), "*.yaml")));
        Add(FuzzTarget.IptablesSave, Files(P("specs", "policies"), "*.iptables-save").Concat(Files(P("specs", "policies"), "source.rules")));
        Add(FuzzTarget.NftText, Files(P("specs", "policies"), "*.nft").Concat(Files(P("tests", "NatVerify.Specs.Tests", "Nft", "Fixtures"), "*.dump.nft")));
        Add(FuzzTarget.NftJson, Files(P("specs", "policies"), "*.nft.json").Concat(Files(P("tests", "NatVerify.Specs.Tests", "Nft", "Fixtures"), "*.json")));
        Add(FuzzTarget.IpAddr, [P("tests", "NatVerify.Policy.Tests", "Fixtures", "ip-addr.json")]);
        Add(FuzzTarget.Ss, Files(P("tests", "NatVerify.Policy.Tests", "Fixtures"), "ss-*.txt"));
        Add(FuzzTarget.Context, Files(P("specs", "policies"), "context.yaml"));
        // conntrack: arguments as the specs write them (the spec target reaches them only inside a whole valid spec).
        var conntrackLine = new System.Text.RegularExpressions.Regex(@"^\s*conntrack:\s*(\S.*?)\s*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        foreach (var command in Files(P("specs"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => conntrackLine.Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).Distinct(StringComparer.Ordinal))
        {
            corpus.Add((FuzzTarget.Conntrack, command));
        }

        foreach (var trace in RecordTraces())
        {
            corpus.Add((FuzzTarget.Trace, trace));
        }

        return corpus;
    }

    /// <summary>A counterexample trace and the witness traces of the seed race, recorded through the CLI.</summary>
    private static IEnumerable<string> RecordTraces()
    {
        var dir = Directory.CreateTempSubdirectory("natverify-fuzz-").FullName;
        try
        {
            var path = Path.Combine(dir, "violation.json");
            App.Run(["check", "seed:race-unconstrained", "--mutant", "no-confirm-clash-check", "--trace-out", path], TextWriter.Null, TextWriter.Null);
            App.Run(["check", "seed:race-ctnetlink", "--witness-out", dir], TextWriter.Null, TextWriter.Null);
            return Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string FindRoot([CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NatVerify.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("NatVerify.sln not found");
    }
}
