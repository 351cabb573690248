using System.Diagnostics;
using System.Text.Json;
using Json.Schema;
using NatVerify.Cli;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Policy.Reports;
using Xunit;

namespace NatVerify.Policy.Tests;

/// <summary>The renderers of <c>natverify policy</c> on constructed reports and on the corpus, and the command's exit codes.</summary>
public sealed class ReportsTests
{
    private const string Hostile = "<script>alert(1)</script>\"&'";

    private static PolicyReport Sample(string file = "rules/ruleset.v4") => new(
        file, "iptables-save", "linux-6.12",
        new HostContext(
            [new InterfaceInfo("wan0", [new InterfaceAddress(Ipv4.Parse("203.0.113.10"), 24)], "wan")],
            [new LocalSocket(L4Protocol.Udp, Ipv4.Parse("0.0.0.0"), 51820, true, Hostile)], "6.18", []),
        [
            new Finding(FindingClass.Capacity, Severity.Note, [new RuleRef(file, 9, null, "iptables nat", "POSTROUTING", "-A POSTROUTING -o wan0 -j MASQUERADE")], "capacity " + Hostile, new Dictionary<string, string>())
            {
                Numbers = new Dictionary<string, long> { ["addresses"] = 1, ["ports"] = 64512, ["flowsPerDestination"] = 64512 },
            },
            new Finding(FindingClass.Collision, Severity.Warning,
                [new RuleRef(file, 7, 12, "iptables nat", "PREROUTING", "-A PREROUTING --dport 8443 -j DNAT " + Hostile), new RuleRef(file, 8, null, "iptables nat", "PREROUTING", "-A PREROUTING --dport 443 -j DNAT")],
                "two DNATs onto one backend", new Dictionary<string, string> { ["linux-4.19"] = "dropped", ["linux-6.12"] = "re-ported" })
            {
                WitnessPath = "w/collision-1.yaml",
            },
        ],
        ["no sockets given " + Hostile], null);

    // Loaded once: JsonSchema.Net registers a schema's $id globally and refuses to register it twice.
    private static readonly Lazy<JsonSchema> PolicySchema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(PolicyRepo.Root, "docs", "schema", "policy.schema.json"))));

    private static JsonSchema Schema() => PolicySchema.Value;

    private static EvaluationResults Validate(string json) =>
        Schema().Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    [Fact]
    public void Json_output_validates_against_the_documented_schema_and_keeps_handles_and_numbers()
    {
        var json = PolicyJson.Write(Sample(), Severity.Warning);
        var result = Validate(json);
        Assert.True(result.IsValid, json);
        var doc = JsonDocument.Parse(json).RootElement;
        Assert.Equal("natverify-policy/1", doc.GetProperty("schema").GetString());
        var f = doc.GetProperty("findings")[1];
        Assert.Equal("collision", f.GetProperty("class").GetString());
        Assert.Equal(12, f.GetProperty("rules")[0].GetProperty("handle").GetInt64());
        Assert.False(f.GetProperty("rules")[1].TryGetProperty("handle", out _));
        Assert.Equal(64512, doc.GetProperty("findings")[0].GetProperty("numbers").GetProperty("ports").GetInt64());
    }

    [Fact]
    public void The_schema_rejects_an_unknown_class_so_validation_can_fail()
    {
        var json = PolicyJson.Write(Sample(), Severity.Warning).Replace("\"collision\"", "\"collisions\"", StringComparison.Ordinal);
        Assert.False(Validate(json).IsValid);
    }

    [Fact]
    public void Sarif_has_one_result_per_finding_with_class_rule_ids_levels_and_relative_physical_locations()
    {
        var dir = PolicyRepo.TempDir();
        try
        {
            var report = Sample(Path.Combine(dir, "rules dir", "ruleset.v4"));
            var sarif = JsonDocument.Parse(PolicySarif.Write(report, dir)).RootElement;
            Assert.Equal("2.1.0", sarif.GetProperty("version").GetString());
            var run = Assert.Single(sarif.GetProperty("runs").EnumerateArray());
            var ruleIds = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
            Assert.Equal(Enum.GetValues<FindingClass>().Select(c => c.Name()), ruleIds);
            var results = run.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(2, results.Count);
            Assert.Equal(["capacity", "collision"], results.Select(r => r.GetProperty("ruleId").GetString()));
            Assert.Equal(["note", "warning"], results.Select(r => r.GetProperty("level").GetString()));
            foreach (var r in results)
            {
                Assert.Equal(ruleIds.IndexOf(r.GetProperty("ruleId").GetString()), r.GetProperty("ruleIndex").GetInt32());
                Assert.False(string.IsNullOrEmpty(r.GetProperty("message").GetProperty("text").GetString()));
            }

            var locations = results[1].GetProperty("locations").EnumerateArray().Select(l => l.GetProperty("physicalLocation")).ToList();
            Assert.Equal(["rules%20dir/ruleset.v4", "rules%20dir/ruleset.v4"], locations.Select(l => l.GetProperty("artifactLocation").GetProperty("uri").GetString()));
            Assert.Equal([7, 8], locations.Select(l => l.GetProperty("region").GetProperty("startLine").GetInt32()));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Html_escapes_every_user_string_and_quotes_rules()
    {
        var html = PolicyHtml.Render(Sample(), null, KernelProfile.Linux612);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("-A POSTROUTING -o wan0 -j MASQUERADE", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("<h2>collision</h2>", StringComparison.Ordinal) < html.IndexOf("<h2>capacity</h2>", StringComparison.Ordinal), "most severe class first");
    }

    [Fact]
    public async Task Html_of_the_seed_policy_quotes_the_rule_in_its_chain_and_draws_the_witness_in_headless_chromium()
    {
        var expect = CorpusTests.Expect.Load("seed-fixed-port");
        var report = CorpusTests.Analyze("seed-fixed-port", expect, out var ruleset);
        var fixedPort = Assert.Single(report.Findings, f => f.Class == FindingClass.FixedPort);
        Assert.NotNull(fixedPort.WitnessSpec);
        var html = PolicyHtml.Render(report, ruleset, KernelProfile.Linux612);
        Assert.Contains("<mark>", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        if (Find("chromium") is not { } chromium)
        {
            return; // The page's content is asserted above; loading it needs chromium (scripts/setup.sh).
        }

        var dir = PolicyRepo.TempDir();
        try
        {
            var page = Path.Combine(dir, "policy.html");
            File.WriteAllText(page, html);
            var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND", $"--user-data-dir={Path.Combine(dir, "profile")}",
                "--dump-dom", new Uri(page).AbsoluteUri,
            })
            {
                info.ArgumentList.Add(a);
            }

            using var p = Process.Start(info)!;
            var dom = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 90 s");
            }

            Assert.Equal(0, p.ExitCode);
            var text = await dom;
            Assert.Contains("id=\"sequence-", text, StringComparison.Ordinal);
            Assert.Contains("fixed-port", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("seed-fixed-port", "warning", 1)]
    [InlineData("snat-small-pool", "error", 0)]
    [InlineData("snat-small-pool", "warning", 1)]
    public void Exit_code_follows_fail_on(string policy, string failOn, int code)
    {
        var path = Path.Combine(PolicyRepo.Root, "specs", "policies", policy, "ruleset.iptables-save");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal((ExitCode)code, App.Run(["policy", path, "--kernel", "6.18", "--fail-on", failOn], stdout, stderr));
        Assert.Contains("kernel 6.18 -> profile linux-6.12", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_of_the_cli_validates_and_bad_input_is_a_located_error_with_exit_2()
    {
        var dir = PolicyRepo.TempDir();
        try
        {
            var path = Path.Combine(PolicyRepo.Root, "specs", "policies", "seed-fixed-port", "ruleset.iptables-save");
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            App.Run(["policy", path, "--json", "--sarif", Path.Combine(dir, "out.sarif"), "--witness-dir", Path.Combine(dir, "w")], stdout, stderr);
            // --json writes the common envelope (docs/json-output.md); its result is the natverify-policy/1 document.
            var envelope = JsonDocument.Parse(stdout.ToString()).RootElement;
            Assert.Equal("policy", envelope.GetProperty("command").GetString());
            Assert.Equal(1, envelope.GetProperty("exitCode").GetInt32());
            Assert.Equal("violated", envelope.GetProperty("result").GetProperty("verdict").GetString());
            Assert.True(Validate(envelope.GetProperty("result").GetRawText()).IsValid, stdout.ToString());
            Assert.True(File.Exists(Path.Combine(dir, "out.sarif")));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "w")));

            var bad = Path.Combine(dir, "ctx.yaml");
            File.WriteAllText(bad, "sockets:\n  - {proto: sctp, local: 1.2.3.4:5, kind: listen}\n");
            (stdout, stderr) = (new StringWriter(), new StringWriter());
            Assert.Equal(ExitCode.BadInput, App.Run(["policy", path, "--context", bad], stdout, stderr));
            Assert.Contains($"{bad}:2:13: proto 'sctp'", stderr.ToString(), StringComparison.Ordinal);
            Assert.Equal(ExitCode.BadInput, App.Run(["policy", dir], stdout, stderr));
            Assert.Equal(ExitCode.BadInput, App.Run(["policy", path, "--fail-on", "loud"], stdout, stderr));
            Assert.Equal(ExitCode.BadInput, App.Run(["policy", path, "--context", bad, "--sockets", bad], stdout, stderr));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string? Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);
}
