using System.CommandLine;
using System.Globalization;
using NatVerify.Checker;
using NatVerify.Checker.Random;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Properties;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Properties;
using NatVerify.Reporting;
using NatVerify.Specs;
using NatVerify.Traces;
using NatVerify.Verification;
using Spectre.Console;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify props [SPEC]</c>: runs the property suites. With a spec (or <c>--ruleset</c>), random flows, ctnetlink
/// events and schedules go through the user's own rules, and random schedules of the spec's own scenario are sampled
/// (random walks and PCT); without, rulesets are generated too. Prints a table (property, cases, result, shrunk
/// counterexample, seed), then every counterexample in full. Exit 1 on a failure, 2 on bad input, 0 otherwise.
/// </summary>
internal static class PropsCommand
{
    /// <summary>Cases per property unless <c>--count</c> says otherwise.</summary>
    public const int DefaultCount = NatSuites.DefaultCount;

    /// <summary>Random schedules of the spec's own scenario per strategy unless <c>--schedules</c> says otherwise.</summary>
    public const int DefaultSchedules = 1000;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var spec = new Argument<string?>("spec")
        {
            Description = "A scenario spec (YAML file) or an embedded seed spec 'seed:NAME' whose ruleset, interfaces and addresses the random cases use. Default: generated rulesets.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var ruleset = new Option<string?>("--ruleset") { Description = "An iptables-save file to test instead of a spec's ruleset." };
        var interfaces = new Option<string[]>("--interface")
        {
            Description = "With --ruleset: an interface and its address, NAME=A.B.C.D (repeatable; MASQUERADE and REDIRECT need them).",
            AllowMultipleArgumentsPerToken = true,
        };
        var seed = new Option<string?>("--seed") { Description = "The seed of every random choice (decimal or 0x hex). Default: taken from the clock and printed." };
        var count = new Option<int>("--count") { Description = $"Cases per property (default {DefaultCount}).", DefaultValueFactory = _ => DefaultCount };
        var profile = new Option<string?>("--profile")
        {
            Description = $"Kernel profile, or 'all': {string.Join(", ", KernelProfile.All.Select(p => p.Name))}. Default: the spec's, else linux-6.12.",
        };
        var mutant = new Option<string?>("--mutant")
        {
            Description = $"Test a deliberately broken kernel: {string.Join(", ", KernelMutantNames.All.Select(m => m.CliName()))}.",
        };
        var properties = new Option<string[]>("--property")
        {
            Description = $"Run only these properties (repeatable): {string.Join(", ", PropertyIds.All)}, or a law (law:invert-involution, ...).",
            AllowMultipleArgumentsPerToken = true,
        };
        var schedules = new Option<int>("--schedules")
        {
            Description = $"With a spec: random schedules of its own scenario per strategy (default {DefaultSchedules}; 0: none).",
            DefaultValueFactory = _ => DefaultSchedules,
        };
        var strategy = new Option<string>("--strategy") { Description = "Random schedules of the spec: walk, pct or both.", DefaultValueFactory = _ => "both" };
        var replay = new Option<string?>("--replay") { Description = "Replay a schedule (choices like 0,2,1 as printed by a failure) on the spec and print its trace." };
        var output = new Option<string?>("--out") { Description = "Write every counterexample into this directory as a spec (.yaml) and a replayable trace (.trace.json)." };

        var json = JsonOutput.CreateOption();
        var allowOutside = SpecAccess.CreateOption();
        var (timeout, maxMemory) = WholeRunWatch.CreateOptions();
        var command = new Command("props", "Run the property suites on random flows, ctnetlink events and schedules through a ruleset, with shrinking.")
        {
            spec, ruleset, interfaces, seed, count, profile, mutant, properties, schedules, strategy, replay, output, json, allowOutside, timeout, maxMemory,
        };
        command.SetAction(parse =>
        {
            if (WholeRunWatch.ParseLimits(parse.GetValue(timeout), parse.GetValue(maxMemory), out var error) is not { } limits)
            {
                stderr.WriteLine($"error: {error}");
                return (int)ExitCode.BadInput;
            }

            using var watch = new WholeRunWatch(limits);
            return (parse.GetValue(json) ? new Run(TextWriter.Null, stderr, stdout, watch) : new Run(stdout, stderr, null, watch)).Execute(
                parse.GetValue(spec), parse.GetValue(ruleset), parse.GetValue(interfaces) ?? [], parse.GetValue(seed), parse.GetValue(count),
                parse.GetValue(profile), parse.GetValue(mutant), parse.GetValue(properties) ?? [], parse.GetValue(schedules),
                parse.GetValue(strategy)!, parse.GetValue(replay), parse.GetValue(output), SpecAccess.Options(parse.GetValue(allowOutside)));
        });
        return command;
    }

    /// <summary>Parses a seed: decimal or 0x hex, 64-bit.</summary>
    internal static bool TryParseSeed(string text, out ulong seed)
    {
        var t = text.Trim();
        return t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out seed)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out seed);
    }

    /// <summary>One invocation: what it loaded, and what it prints.</summary>
    private sealed class Run(TextWriter stdout, TextWriter stderr, TextWriter? jsonOut, WholeRunWatch watch)
    {
        private readonly List<Row> _rows = [];
        private readonly List<string> _details = [];
        private ScenarioSpec? _spec;
        private string? _specText;
        private string? _specName;

        public int Execute(
            string? specName, string? rulesetFile, string[] interfaceArgs, string? seedText, int count, string? profileName, string? mutantName,
            string[] propertyIds, int scheduleCount, string strategyName, string? replayText, string? outDir, Specs.Input.SpecLoadOptions access)
        {
            if (count < 1)
            {
                return Bad("--count must be at least 1");
            }

            if (scheduleCount < 0)
            {
                return Bad("--schedules must not be negative");
            }

            if (strategyName is not ("walk" or "pct" or "both"))
            {
                return Bad($"--strategy must be walk, pct or both, not '{strategyName}'");
            }

            if (specName is not null && rulesetFile is not null)
            {
                return Bad("give either a spec or --ruleset, not both");
            }

            if (interfaceArgs.Length > 0 && rulesetFile is null)
            {
                return Bad("--interface goes with --ruleset (a spec declares its own interfaces)");
            }

            ulong seed;
            if (seedText is not null)
            {
                if (!TryParseSeed(seedText, out seed))
                {
                    return Bad($"--seed '{seedText}' is not a 64-bit decimal or 0x hex number");
                }
            }
            else
            {
                seed = SplitMix64.Mix((ulong)DateTime.UtcNow.Ticks);
            }

            var mutant = KernelMutant.None;
            if (mutantName is not null && !KernelMutantNames.TryParse(mutantName, out mutant))
            {
                return Bad($"unknown mutant '{mutantName}'; known: {string.Join(", ", KernelMutantNames.All.Select(x => x.CliName()))}");
            }

            FixedRuleset? fixedRuleset = null;
            Vocabulary vocabulary = Vocabulary.Default;
            if (specName is not null)
            {
                if (!CheckCommand.TryLoad(specName, stderr, out _spec, out _specText, access))
                {
                    return (int)ExitCode.BadInput;
                }

                _specName = specName;
                fixedRuleset = new FixedRuleset(_spec!.Model.Ruleset, _spec.RulesetText);
                vocabulary = Vocabulary.FromSpec(_spec);
            }
            else if (rulesetFile is not null)
            {
                if (!TryLoadRuleset(rulesetFile, interfaceArgs, out fixedRuleset, out var ifaces))
                {
                    return (int)ExitCode.BadInput;
                }

                vocabulary = Vocabulary.FromRuleset(fixedRuleset!.Ruleset, ifaces!, []);
            }

            IReadOnlyList<KernelProfile> profiles;
            if (profileName is null)
            {
                profiles = [_spec?.Profile ?? KernelProfile.Linux612];
            }
            else if (string.Equals(profileName, "all", StringComparison.OrdinalIgnoreCase))
            {
                profiles = KernelProfile.All;
            }
            else if (KernelProfile.Find(profileName) is { } found)
            {
                profiles = [found];
            }
            else
            {
                return Bad($"unknown kernel profile '{profileName}'; known: all, {string.Join(", ", KernelProfile.All.Select(k => k.Name))}");
            }

            var lawNames = NatSuites.Laws(SuiteSettings.Generated(KernelProfile.Linux612)).Select(l => l.Name).ToList();
            var unknown = propertyIds.FirstOrDefault(p => !PropertyIds.All.Contains(p) && !lawNames.Contains(p));
            if (unknown is not null)
            {
                return Bad($"unknown property '{unknown}'; known: {string.Join(", ", PropertyIds.All.Concat(lawNames))}");
            }

            if (replayText is not null)
            {
                if (jsonOut is not null)
                {
                    return Bad("--json reports a suite run; --replay prints one schedule's trace for people");
                }

                return Replay(replayText, profiles, mutant, propertyIds);
            }

            if (outDir is not null)
            {
                try
                {
                    Directory.CreateDirectory(outDir);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    return Bad($"cannot create --out directory '{outDir}': {e.Message}");
                }
            }

            stdout.WriteLine($"natverify props {specName ?? rulesetFile ?? "(generated rulesets)"}");
            stdout.WriteLine($"  seed: {seed} (run again with --seed {seed})   cases per property: {count}   mutant: {mutant.CliName()}");
            stdout.WriteLine($"  profiles: {string.Join(", ", profiles.Select(p => p.Name))}   vocabulary: {vocabulary.Addresses.Count} addresses, {vocabulary.Ports.Count} ports, {vocabulary.Marks.Count} marks");
            stdout.WriteLine($"  {watch.Limits.Line()}");
            stdout.WriteLine();

            var stopped = false;
            try
            {
                foreach (var profile in profiles)
                {
                    var settings = new SuiteSettings(profile, mutant, vocabulary, fixedRuleset) { Cancellation = watch.Token };
                    foreach (var property in NatSuites.All(settings).Where(p => propertyIds.Length == 0 || propertyIds.Contains(p.Name)))
                    {
                        var report = property.Run(seed, count);
                        AddReport(report, settings, outDir);
                    }

                    if (_spec is not null && scheduleCount > 0)
                    {
                        var ids = _spec.Properties.Where(p => propertyIds.Length == 0 || propertyIds.Contains(p)).ToList();
                        if (ids.Count > 0)
                        {
                            foreach (var s in Strategies(strategyName))
                            {
                                Explore(profile, mutant, ids, seed, scheduleCount, s, outDir);
                            }
                        }
                    }
                }
            }
            catch (ArgumentException e)
            {
                return Bad($"{_spec?.File ?? rulesetFile}: {e.Message}");
            }
            catch (OperationCanceledException) when (watch.Tripped is not null)
            {
                // A whole-run bound: the rows so far stand, the property under way is dropped.
                stopped = true;
            }

            stopped |= watch.CheckNow() is not null;
            PrintTable();
            foreach (var detail in _details)
            {
                stdout.WriteLine();
                stdout.WriteLine(detail);
            }

            var failed = _rows.Count(r => !r.Passed);
            stdout.WriteLine();
            stdout.WriteLine(failed > 0 ? $"{failed} of {_rows.Count} properties failed{(stopped ? $" before {watch.Describe()}" : string.Empty)}. Seed {seed}."
                : stopped ? $"INCONCLUSIVE: {watch.Describe()} after {_rows.Count} finished properties, which held on every sampled case; the rest did not run. Seed {seed}."
                : $"All {_rows.Count} properties held on every sampled case (evidence, not proof: natverify check explores a spec exhaustively). Seed {seed}.");
            // A failure found before a bound is still a failure; a bound without one proves nothing either way.
            var code = failed > 0 ? ExitCode.Violated : stopped ? ExitCode.Inconclusive : ExitCode.Holds;
            if (jsonOut is not null)
            {
                var rows = new System.Text.Json.Nodes.JsonArray();
                foreach (var r in _rows)
                {
                    rows.Add(new System.Text.Json.Nodes.JsonObject
                    {
                        ["property"] = r.Property,
                        ["profile"] = r.Profile,
                        ["cases"] = r.Cases,
                        ["passed"] = r.Passed,
                        ["counterexample"] = r.Passed ? null : r.Counterexample,
                        ["seed"] = r.Seed,
                    });
                }

                return JsonOutput.Write(jsonOut, "props", code, new System.Text.Json.Nodes.JsonObject
                {
                    ["verdict"] = JsonOutput.Verdict(code),
                    ["spec"] = specName ?? rulesetFile,
                    ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
                    ["casesPerProperty"] = count,
                    ["mutant"] = mutant.CliName(),
                    ["profiles"] = JsonOutput.Strings(profiles.Select(p => p.Name)),
                    ["properties"] = rows,
                    ["failures"] = JsonOutput.Strings(_details),
                    ["bound"] = stopped ? JsonOutput.BoundKindName(watch.Tripped!.Value) : null,
                    ["limits"] = watch.Limits.Json(),
                });
            }

            return (int)code;
        }

        private static IEnumerable<RandomStrategy> Strategies(string name) => name switch
        {
            "walk" => [RandomStrategy.RandomWalk],
            "pct" => [RandomStrategy.Pct],
            _ => [RandomStrategy.RandomWalk, RandomStrategy.Pct],
        };

        private int Bad(string message)
        {
            stderr.WriteLine($"error: {message}");
            return (int)ExitCode.BadInput;
        }

        private bool TryLoadRuleset(string file, string[] interfaceArgs, out FixedRuleset? ruleset, out Dictionary<string, Ipv4>? interfaces)
        {
            ruleset = null;
            interfaces = new Dictionary<string, Ipv4>(StringComparer.Ordinal);
            foreach (var arg in interfaceArgs)
            {
                var eq = arg.IndexOf('=');
                if (eq <= 0 || !Ipv4.TryParse(arg[(eq + 1)..], out var address))
                {
                    stderr.WriteLine($"error: --interface '{arg}': expected NAME=A.B.C.D");
                    return false;
                }

                interfaces[arg[..eq]] = address;
            }

            try
            {
                string text;
                try
                {
                    text = Specs.Input.InputFile.ReadText(file, Specs.Input.InputFile.MaxSpecBytes);
                }
                catch (Specs.Input.InputFileException ex)
                {
                    throw new SpecException(file, 1, 1, $"cannot read ruleset file: {ex.Message}", ex);
                }

                var parsed = IptablesSaveParser.Parse(text, file);
                ChainGraph.CheckNoLoops(parsed, file);
                ruleset = new FixedRuleset(parsed, text);
                return true;
            }
            catch (SpecException e)
            {
                stderr.WriteLine($"error: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"error: {file}:1:1: cannot read ruleset: {e.Message}");
            }

            return false;
        }

        private void AddReport(PropertyReport report, SuiteSettings settings, string? outDir)
        {
            if (report.Failure is not { } f)
            {
                _rows.Add(new Row(report.Name, settings.Profile.Name, report.Cases.ToString(CultureInfo.InvariantCulture), true, "-", report.Seed.ToString(CultureInfo.InvariantCulture)));
                return;
            }

            _rows.Add(new Row(report.Name, settings.Profile.Name, report.Cases.ToString(CultureInfo.InvariantCulture), false, f.ShrunkSize, f.CaseSeed.ToString(CultureInfo.InvariantCulture)));
            var lines = new List<string> { $"FAILED {report.Name} on {settings.Profile.Name}", report.FailureText().TrimEnd() };
            if (f.Shrunk is ScenarioCase c && PropertyIds.All.Contains(report.Name))
            {
                var semantics = CaseReplay.Semantics(c, settings);
                var replay = ScheduleReplayer.Replay(new ConntrackSystem(semantics), c.Schedule, CaseReplay.Invariants(semantics, [report.Name]), settings.MaxSteps);
                lines.Add($"Trace of the shrunk counterexample ({replay.Trace.Length} steps, schedule [{c.Schedule}]):");
                lines.AddRange(new TraceRenderer(semantics).Render(replay.Trace).Select(l => "  " + l));
                if (outDir is not null && replay.Violated)
                {
                    var name = $"{report.Name}-{settings.Profile.Name}";
                    var text = SpecText.Write(c, "counterexample", $"Counterexample to {report.Name} found by natverify props (case seed {f.CaseSeed}).", settings.Profile);
                    var embedded = new EmbeddedSpec("counterexample", name + ".yaml", SpecEmbedding.Sha256(text), text);
                    lines.Add(Save(outDir, name, text, new TraceSource(embedded, semantics, [report.Name], new EngineSettings("random-cases", null, null, null, null, true), f.CaseSeed), replay.Trace, report.Name));
                }
            }

            _details.Add(string.Join('\n', lines));
        }

        private void Explore(KernelProfile profile, KernelMutant mutant, IReadOnlyList<string> ids, ulong seed, int schedules, RandomStrategy strategy, string? outDir)
        {
            var options = new RandomOptions { Seed = seed, Strategy = strategy, MaxSchedules = schedules };
            var (semantics, result) = SpecExploration.Explore(_spec!, profile, mutant, ids, options, cancellationToken: watch.Token);
            if (result.Cancelled)
            {
                throw new OperationCanceledException(watch.Token);
            }

            var label = strategy == RandomStrategy.Pct ? $"spec schedules (pct, d={options.PctDepth})" : "spec schedules (random walk)";
            var rate = string.Create(CultureInfo.InvariantCulture, $"{result.Stats.Schedules} ({result.Stats.SchedulesPerSecond:N0}/s)");
            if (result.Violation is not { } v)
            {
                _rows.Add(new Row(label, profile.Name, rate, true, "-", seed.ToString(CultureInfo.InvariantCulture)));
                return;
            }

            _rows.Add(new Row(label, profile.Name, rate, false, $"{v.Trace.Length} steps, {v.Invariant.Id}", v.ScheduleSeed.ToString(CultureInfo.InvariantCulture)));
            var mutantArg = mutant == KernelMutant.None ? string.Empty : $" --mutant {mutant.CliName()}";
            var lines = new List<string>
            {
                $"FAILED {label} on {profile.Name}: {v.Invariant.Id}: {v.Message}",
                $"  run seed {seed}, schedule {v.ScheduleIndex} (seed {v.ScheduleSeed}); {v.Original.Choices.Count} choices shrunk in {v.ShrinkSteps} step(s) to [{v.Shrunk}]",
                $"  replay: natverify props {_specName} --replay '{v.Shrunk}' --profile {profile.Name}{mutantArg}",
                $"Trace ({v.Trace.Length} steps):",
            };
            lines.AddRange(new TraceRenderer(semantics).Render(v.Trace).Select(l => "  " + l));
            if (outDir is not null)
            {
                var name = $"{_spec!.Name}-{(strategy == RandomStrategy.Pct ? "pct" : "walk")}-{v.Invariant.Id}-{profile.Name}";
                var embedded = SpecEmbedding.Embed(_spec, _specText!, _specName!);
                var engine = new EngineSettings(strategy == RandomStrategy.Pct ? "pct" : "random-walk", null, null, null, null, true);
                lines.Add(Save(outDir, name, _specText!, new TraceSource(embedded, semantics, ids, engine, v.ScheduleSeed), v.Trace, v.Invariant.Id));
            }

            _details.Add(string.Join('\n', lines));
        }

        private static string Save(string outDir, string name, string specText, TraceSource source, Trace<NatState, NatStep> trace, string property)
        {
            var specPath = Path.Combine(outDir, name + ".yaml");
            var tracePath = Path.Combine(outDir, name + ".trace.json");
            File.WriteAllText(specPath, specText);
            File.WriteAllText(tracePath, TraceJson.Write(TraceRecorder.RecordViolation(source, trace, property)));
            return $"Saved {specPath} and {tracePath} (natverify replay {tracePath}).";
        }

        private int Replay(string text, IReadOnlyList<KernelProfile> profiles, KernelMutant mutant, string[] propertyIds)
        {
            if (_spec is null)
            {
                return Bad("--replay needs a spec: the schedule indexes that spec's interleavings");
            }

            if (profiles.Count != 1)
            {
                return Bad("--replay runs on one kernel profile; give --profile NAME");
            }

            if (!ChoiceSchedule.TryParse(text, out var schedule, out var error))
            {
                return Bad($"--replay: {error}");
            }

            var ids = propertyIds.Length > 0 ? propertyIds.Where(PropertyIds.All.Contains).ToList() : _spec.Properties.ToList();
            (NatSemantics Semantics, ReplayResult<NatState, NatStep> Result) run;
            try
            {
                run = SpecExploration.Replay(_spec, profiles[0], mutant, ids, schedule);
            }
            catch (ArgumentException e)
            {
                return Bad($"{_spec.File}: {e.Message}");
            }

            var (semantics, result) = run;
            stdout.WriteLine($"natverify props {_specName} --replay '{schedule}'   profile: {profiles[0].Name}   mutant: {mutant.CliName()}");
            stdout.WriteLine();
            foreach (var line in new TraceRenderer(semantics).Render(result.Trace))
            {
                stdout.WriteLine(line);
            }

            stdout.WriteLine();
            stdout.WriteLine(result.End switch
            {
                ReplayEnd.Violation => $"VIOLATED after step {result.Trace.Length}: {result.Invariant!.Id}: {result.Message}",
                ReplayEnd.Terminal => $"Replayed {result.Trace.Length} steps to a terminal state; every checked property held.",
                _ => $"Stopped after {result.Trace.Length} steps (step limit); every checked property held.",
            });
            return result.Violated ? (int)ExitCode.Violated : (int)ExitCode.Holds;
        }

        private void PrintTable()
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stdout),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
            console.Profile.Width = 160;
            var table = new Table().Border(TableBorder.Ascii);
            table.AddColumns("property", "profile", "cases", "result", "shrunk counterexample", "seed");
            foreach (var row in _rows)
            {
                table.AddRow(
                    Markup.Escape(row.Property), Markup.Escape(row.Profile), Markup.Escape(row.Cases), row.Passed ? "passed" : "FAILED",
                    Markup.Escape(row.Counterexample), Markup.Escape(row.Seed));
            }

            console.Write(table);
        }
    }

    private sealed record Row(string Property, string Profile, string Cases, bool Passed, string Counterexample, string Seed);
}
