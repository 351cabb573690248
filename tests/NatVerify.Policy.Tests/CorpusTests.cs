using NatVerify.Model;
using NatVerify.Policy.Inputs;
using YamlDotNet.RepresentationModel;
using Xunit;

namespace NatVerify.Policy.Tests;

/// <summary>
/// Runs every policy of specs/policies/ (real dumps, scripts/gen-policy-corpus.sh) through the analysis and asserts
/// its expect.yaml: each <c>must</c> entry is a finding of that class (and severity, when given) involving one of the
/// listed rule lines, each <c>must-not</c> entry has no such finding. For <c>shadowed-rule</c> the line is the
/// shadowed rule (a finding's first rule), since covering rules are listed after it.
/// </summary>
public sealed class CorpusTests
{
    public static TheoryData<string> Policies() => new(PolicyNames());

    private static IEnumerable<string> PolicyNames() =>
        Directory.EnumerateDirectories(Path.Combine(PolicyRepo.Root, "specs", "policies")).Order(StringComparer.Ordinal)
            .Where(dir => File.Exists(Path.Combine(dir, "expect.yaml"))).Select(dir => Path.GetFileName(dir)!);

    [Fact]
    public void The_corpus_covers_every_finding_class_in_a_must_entry()
    {
        var classes = PolicyNames().SelectMany(p => Expect.Load(p).Must.Select(m => m.Class)).ToHashSet();
        Assert.Equal(Enum.GetValues<FindingClass>().Select(c => c.Name()).Order(), classes.Order());
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Corpus_policy_reports_its_must_findings_and_none_of_its_must_not_findings(string policy)
    {
        var expect = Expect.Load(policy);
        var report = Analyze(policy, expect, out _);
        Assert.Null(report.Inconclusive);
        var problems = new List<string>();
        foreach (var m in expect.Must.Where(m => !report.Findings.Any(f => Matches(f, m))))
        {
            problems.Add($"missing {m}");
        }

        foreach (var m in expect.MustNot)
        {
            problems.AddRange(report.Findings.Where(f => Matches(f, m)).Select(f => $"unexpected {m}: {f.Message}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\nall findings:\n"
            + string.Join("\n", report.Findings.Select(f => $"  {f.Class.Name()} {f.Severity.Name()} lines {string.Join(",", f.Rules.Select(r => r.Line))}")));
    }

    [Theory]
    [InlineData("masquerade-plain")]
    [InlineData("masquerade-mitigated")]
    [InlineData("kube-proxy-nftables")]
    public void Nft_json_rules_are_named_in_the_nft_text_syntax_of_the_same_dump(string policy)
    {
        // Both dumps come from one loaded ruleset (scripts/gen-policy-corpus.sh): rule by rule, the text rendered from
        // the JSON must be what `nft list ruleset` printed, without the handle (RuleRef carries it on its own).
        var dir = Path.Combine(PolicyRepo.Root, "specs", "policies", policy);
        var text = Rules(RulesetLoader.Load(Path.Combine(dir, "ruleset.nft"), null).Ruleset);
        var json = Rules(RulesetLoader.Load(Path.Combine(dir, "ruleset.nft.json"), null).Ruleset);
        Assert.NotEmpty(text);
        Assert.Equal(text, json);
        Assert.All(RulesetLoader.Load(Path.Combine(dir, "ruleset.nft.json"), null).Ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules),
            r => Assert.NotNull(r.Location?.Handle));

        static List<string> Rules(NatVerify.Model.Nat.NatRuleset r) =>
            r.Tables.SelectMany(t => t.Chains.Values.Select(c => (t, c))).OrderBy(x => x.t.Key, StringComparer.Ordinal).ThenBy(x => x.c.Name, StringComparer.Ordinal)
                .SelectMany(x => x.c.Rules.Select(rule => $"{x.t.Key} {x.c.Name}: {AnalysisContext.TextOf(rule)}")).Distinct().ToList();
    }

    [Fact]
    public void Nft_text_and_json_dumps_of_one_ruleset_give_the_same_findings()
    {
        foreach (var policy in new[] { "masquerade-plain", "masquerade-mitigated", "kube-proxy-nftables" })
        {
            var dir = Path.Combine(PolicyRepo.Root, "specs", "policies", policy);
            var context = HostContextLoader.Load(Path.Combine(dir, "context.yaml"), null, null, null);
            var text = Summary(Path.Combine(dir, "ruleset.nft"), context);
            var json = Summary(Path.Combine(dir, "ruleset.nft.json"), context);
            Assert.Equal(text, json);
        }

        static List<string> Summary(string path, HostContext context)
        {
            var (ruleset, format) = RulesetLoader.Load(path, null);
            return PolicyAnalyzer.Analyze(ruleset, path, format, context, new PolicyOptions())
                .Findings.Select(f => $"{f.Class.Name()} {f.Severity.Name()} {string.Join(",", f.Rules.Select(r => r.Text))}").Order().ToList();
        }
    }

    internal static PolicyReport Analyze(string policy, Expect expect, out NatVerify.Model.Nat.NatRuleset ruleset)
    {
        var dir = Path.Combine(PolicyRepo.Root, "specs", "policies", policy);
        var context = HostContextLoader.Load(expect.Context is { } c ? Path.Combine(dir, c) : null, null, null, expect.Kernel);
        var profile = context.KernelVersion is { } v ? KernelVersions.ForVersion(v).Profile : KernelProfile.Linux612;
        var path = Path.Combine(dir, expect.Ruleset);
        (ruleset, var format) = RulesetLoader.Load(path, null);
        return PolicyAnalyzer.Analyze(ruleset, path, format, context, new PolicyOptions { Profile = profile });
    }

    private static bool Matches(Finding f, Entry e) =>
        f.Class.Name() == e.Class && (e.Severity == null || f.Severity.Name() == e.Severity)
        && (f.Class == FindingClass.ShadowedRule ? e.Lines.Contains(f.Rules[0].Line) : f.Rules.Any(r => e.Lines.Contains(r.Line)));

    internal sealed record Entry(string Class, string? Severity, IReadOnlyList<int> Lines)
    {
        public override string ToString() => $"{Class}{(Severity != null ? " " + Severity : string.Empty)} at line(s) {string.Join(",", Lines)}";
    }

    internal sealed record Expect(string Ruleset, string? Context, string? Kernel, IReadOnlyList<Entry> Must, IReadOnlyList<Entry> MustNot)
    {
        public static Expect Load(string policy)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(Path.Combine(PolicyRepo.Root, "specs", "policies", policy, "expect.yaml"))));
            var root = (YamlMappingNode)stream.Documents[0].RootNode;
            string? S(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var n) ? ((YamlScalarNode)n).Value : null;
            IReadOnlyList<Entry> L(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var n)
                ? ((YamlSequenceNode)n).Children.Cast<YamlMappingNode>().Select(m => new Entry(
                    ((YamlScalarNode)m[new YamlScalarNode("class")]).Value!,
                    m.Children.TryGetValue(new YamlScalarNode("severity"), out var s) ? ((YamlScalarNode)s).Value : null,
                    ((YamlSequenceNode)m[new YamlScalarNode("lines")]).Children.Select(x => int.Parse(((YamlScalarNode)x).Value!, System.Globalization.CultureInfo.InvariantCulture)).ToList())).ToList()
                : [];
            return new Expect(S("ruleset")!, S("context"), S("kernel"), L("must"), L("must-not"));
        }
    }
}
