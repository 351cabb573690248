using System.CommandLine;
using System.Globalization;
using NatVerify.Model;
using NatVerify.Policy;
using NatVerify.Policy.Inputs;
using NatVerify.Policy.Reports;
using NatVerify.Specs;
using Spectre.Console;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify policy RULESET</c>: finds what a NAT ruleset will do to real traffic (docs/policy.md). Exit 0 when no
/// finding is at or above <c>--fail-on</c>, 1 when one is, 2 on bad input, 3 when a bound cut the analysis short.
/// </summary>
internal static class PolicyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var ruleset = new Argument<string>("ruleset") { Description = "iptables-save output, 'nft list ruleset' text or 'nft -j list ruleset' JSON." };
        var context = new Option<string?>("--context") { Description = "A context file (YAML or JSON: interfaces, sockets, kernel; docs/policy.md)." };
        var addresses = new Option<string?>("--addresses") { Description = "'ip -j addr show' output of the host." };
        var sockets = new Option<string?>("--sockets") { Description = "'ss -Htuanp' (or 'ss -Htulnp') output of the host." };
        var kernel = new Option<string?>("--kernel") { Description = "The host's kernel version (e.g. 6.18); mapped to the nearest profile, which the report names." };
        var format = new Option<string?>("--format") { Description = $"Force the ruleset format: {string.Join(", ", RulesetLoader.Formats)} (default: detected from the content)." };
        var witnessDir = new Option<string?>("--witness-dir") { Description = "Write each finding's witness scenario spec into this directory." };
        var failOn = new Option<string>("--fail-on") { Description = "Lowest severity that makes the exit code 1: note, warning or error.", DefaultValueFactory = _ => "warning" };
        var capacity = new Option<long>("--capacity-threshold") { Description = "SNAT pools with fewer concurrent flows per destination than this are warnings.", DefaultValueFactory = _ => 1024 };
        var json = new Option<bool>("--json") { Description = "Write one JSON document to stdout instead of the table: the envelope of docs/json-output.md whose result follows docs/schema/policy.schema.json." };
        var sarif = new Option<string?>("--sarif") { Description = "Also write a SARIF 2.1.0 log to this file." };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML report to this file." };
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Check the witness scenarios on an Orleans cluster of 'natverify worker' silos: key=value pairs separated by ';' (membership=localhost or redis=HOST:PORT, partitions=N, ...) or a file of them (docs/distributed.md).",
        };
        var (timeout, maxMemory) = WholeRunWatch.CreateOptions();
        var command = new Command("policy", "Check a NAT ruleset for fixed ports, collisions, capacity, shadowed rules, port shadowing and UDP races, with a witness spec for each finding.")
        {
            ruleset, context, addresses, sockets, kernel, format, witnessDir, failOn, capacity, json, sarif, html, cluster, timeout, maxMemory,
        };
        command.SetAction(parse =>
        {
            if (WholeRunWatch.ParseLimits(parse.GetValue(timeout), parse.GetValue(maxMemory), out var limitError) is not { } limits)
            {
                stderr.WriteLine($"error: {limitError}");
                return (int)ExitCode.BadInput;
            }

            // From here on the run is bounded as a whole (reading the inputs included).
            using var watch = new WholeRunWatch(limits);
            var failOnText = parse.GetValue(failOn)!;
            if (!Enum.TryParse<Severity>(failOnText, ignoreCase: true, out var threshold) || failOnText.Any(char.IsDigit))
            {
                stderr.WriteLine($"error: --fail-on '{failOnText}' is not note, warning or error");
                return (int)ExitCode.BadInput;
            }

            if (parse.GetValue(capacity) < 1)
            {
                stderr.WriteLine("error: --capacity-threshold must be at least 1");
                return (int)ExitCode.BadInput;
            }

            if (parse.GetValue(format) is { } f && !RulesetLoader.Formats.Contains(f))
            {
                stderr.WriteLine($"error: --format '{f}' is not one of {string.Join(", ", RulesetLoader.Formats)}");
                return (int)ExitCode.BadInput;
            }

            var rulesetPath = parse.GetValue(ruleset)!;
            HostContext host;
            Model.Nat.NatRuleset rules;
            string detected;
            KernelProfile profile = KernelProfile.Linux612;
            string? profileWhy = null;
            try
            {
                host = HostContextLoader.Load(parse.GetValue(context), parse.GetValue(addresses), parse.GetValue(sockets), parse.GetValue(kernel));
                if (host.KernelVersion is { } version)
                {
                    (profile, profileWhy) = KernelVersions.ForVersion(version);
                }

                (rules, detected) = RulesetLoader.Load(rulesetPath, parse.GetValue(format));
            }
            catch (SpecException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return (int)ExitCode.BadInput;
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            if (profileWhy != null)
            {
                host = host with { Assumptions = [.. host.Assumptions, profileWhy] };
            }
            else
            {
                host = host with { Assumptions = [.. host.Assumptions, $"profile {profile.Name} (the default; --kernel picks another)"] };
            }

            if (parse.GetValue(witnessDir) is { } wd)
            {
                try
                {
                    Directory.CreateDirectory(wd);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"error: --witness-dir {wd}: {e.Message}");
                    return (int)ExitCode.BadInput;
                }
            }

            Cluster.Hosting.ClusterConfig? clusterConfig = null;
            if (parse.GetValue(cluster) is { } clusterText && !ClusterCheck.TryParseConfig(clusterText, stderr, out clusterConfig))
            {
                return (int)ExitCode.BadInput;
            }

            var options = new PolicyOptions { Profile = profile, CapacityThreshold = parse.GetValue(capacity), WitnessDir = parse.GetValue(witnessDir) };
            // The analysis stops at its next look once a whole-run bound is crossed (PolicyOptions.Cancellation).
            options = options with { Cancellation = watch.Token };

            // One cluster connection for all the witness checks of the run.
            using var session = clusterConfig is null ? null : ClusterCheck.Connect(clusterConfig, stderr);
            if (clusterConfig is not null && session is null)
            {
                return (int)ExitCode.BadInput;
            }

            if (session is not null)
            {
                options = options with { WitnessChecker = session.Check };
            }

            var analyzed = PolicyAnalyzer.Analyze(rules, rulesetPath, detected, host, options);

            // A run that crossed a bound is reported as cut by it, even when the analysis finished just after
            // (WholeRunWatch.CheckNow): no finding is reported from it.
            var report = watch.CheckNow() is null
                ? analyzed
                : new PolicyReport(rulesetPath, detected, profile.Name, host, [], [.. host.Assumptions, $"whole-run bounds: {limits.Line()}"], $"{watch.Describe()} before the analysis finished; no finding is reported");
            try
            {
                if (parse.GetValue(sarif) is { } sarifPath)
                {
                    File.WriteAllText(sarifPath, PolicySarif.Write(report, Directory.GetCurrentDirectory()));
                }

                if (parse.GetValue(html) is { } htmlPath)
                {
                    File.WriteAllText(htmlPath, PolicyHtml.Render(report, rules, profile));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: cannot write the report: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            var exit = report.Inconclusive != null ? ExitCode.Inconclusive
                : report.Findings.Any(x => x.Severity >= threshold) ? ExitCode.Violated : ExitCode.Holds;
            if (parse.GetValue(json))
            {
                // The common envelope of every command (docs/json-output.md); its result is the natverify-policy/1
                // document of docs/schema/policy.schema.json.
                return JsonOutput.Write(stdout, "policy", exit, (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(PolicyJson.Write(report, threshold))!);
            }

            PrintTable(report, profileWhy, threshold, stdout);
            return (int)exit;
        });
        return command;
    }

    /// <summary>The table for people: findings grouped by class, most severe first, rules quoted, witnesses named.</summary>
    internal static void PrintTable(PolicyReport report, string? profileWhy, Severity threshold, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        stdout.WriteLine($"natverify policy {report.RulesetFile}");
        stdout.WriteLine($"  format: {report.Format}   profile: {report.Profile}{(profileWhy != null ? $"   ({profileWhy})" : string.Empty)}");
        var counts = string.Join(", ", new[] { Severity.Error, Severity.Warning, Severity.Note }.Select(s => $"{report.Findings.Count(f => f.Severity == s)} {s.Name()}"));
        stdout.WriteLine($"  findings: {counts} (--fail-on {threshold.Name()})");
        if (report.Inconclusive is { } why)
        {
            stdout.WriteLine($"  INCOMPLETE: {why}");
        }

        stdout.WriteLine();
        foreach (var group in PolicyHtml.Ordered(report.Findings).GroupBy(f => f.Class))
        {
            var table = new Table { Title = new TableTitle(Markup.Escape($"{group.Key.Name()} ({group.Count()})")), Expand = false };
            table.AddColumn("severity");
            table.AddColumn("rules");
            table.AddColumn("finding");
            foreach (var f in group)
            {
                var rules = string.Join("\n", f.Rules.Select(r => $"{r.File}:{r.Line}{(r.Handle is { } h ? $" (handle {h})" : string.Empty)} {r.Chain}: \"{r.Text}\""));
                var text = f.Message;
                foreach (var (p, c) in f.ConsequenceByProfile.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text += $"\n{p}: {c}";
                }

                if (f.Numbers.Count > 0)
                {
                    text += "\n" + string.Join(", ", f.Numbers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}"));
                }

                if (f.WitnessPath != null)
                {
                    text += $"\nwitness: {f.WitnessPath}";
                }

                table.AddRow(Markup.Escape(f.Severity.Name()), Markup.Escape(rules), Markup.Escape(text));
            }

            console.Write(table);
            stdout.WriteLine();
        }

        stdout.WriteLine("Assumptions:");
        foreach (var a in report.Assumptions)
        {
            stdout.WriteLine($"  - {a}");
        }
    }
}
