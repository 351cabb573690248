using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Specs;

namespace NatVerify.Policy.Tests;

/// <summary>Loads the dumped fixtures (Fixtures/dumps, made by Fixtures/dump.sh from Fixtures/src) and runs the analysis.</summary>
internal static class PolicyTestKit
{
    public static string DumpPath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "dumps", name + ".v4");

    public static HostContext Host(IEnumerable<(string Name, string Address)>? interfaces = null, IEnumerable<LocalSocket>? sockets = null) =>
        new(
            (interfaces ?? [("lan0", "192.0.2.1"), ("wan0", "198.51.100.1")])
                .Select(i => new InterfaceInfo(i.Name, [new InterfaceAddress(Ipv4.Parse(i.Address), 24)])).ToList(),
            (sockets ?? []).ToList(),
            null,
            []);

    public static PolicyReport Analyze(string name, HostContext? host = null, PolicyOptions? options = null)
    {
        var path = DumpPath(name);
        var ruleset = IptablesSaveParser.Parse(File.ReadAllText(path), path);
        var report = PolicyAnalyzer.Analyze(ruleset, path, "iptables-save", host ?? Host(), options ?? new PolicyOptions());
        Assert.Null(report.Inconclusive);
        return report;
    }

    public static List<Finding> Of(this PolicyReport report, FindingClass c) => report.Findings.Where(f => f.Class == c).ToList();

    public static string Texts(this Finding f) => string.Join(" | ", f.Rules.Select(r => r.Text));
}
