using System.CommandLine;
using System.Globalization;
using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Traces;
using NatVerify.Verification;
using Spectre.Console;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify mutants SPEC</c>: checks the spec against every kernel mutant (and the real kernel, as a baseline)
/// and prints which property each violates, the counterexample's length and where its trace was saved. Exit 1 when
/// a mutant the spec's <c>expect.mutants</c> names is not killed by its property, or the real kernel violates a property.
/// </summary>
internal static class MutantsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var spec = new Argument<string?>("spec")
        {
            Description = $"A scenario spec (YAML file) or an embedded seed spec 'seed:NAME'. Default: {EmbeddedSpecs.Default}.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var profile = new Option<string?>("--profile") { Description = $"Kernel profile, overriding the spec's: {string.Join(", ", KernelProfile.All.Select(p => p.Name))}." };
        var traceDir = new Option<string>("--trace-dir") { Description = "Directory for the counterexample traces (SPEC.MUTANT.json).", DefaultValueFactory = _ => "natverify-traces" };
        var json = JsonOutput.CreateOption();
        var allowOutside = SpecAccess.CreateOption();
        var command = new Command("mutants", "Run every deliberately broken kernel against a spec: which property catches each mutant, with a saved counterexample.")
        {
            spec, profile, traceDir, json, allowOutside,
        };
        command.SetAction(parse =>
        {
            var specName = parse.GetValue(spec) ?? EmbeddedSpecs.Default;
            if (!CheckCommand.TryLoad(specName, stderr, out var loaded, out var text, SpecAccess.Options(parse.GetValue(allowOutside))))
            {
                return (int)ExitCode.BadInput;
            }

            KernelProfile? kernel = null;
            if (parse.GetValue(profile) is { } p && (kernel = KernelProfile.Find(p)) is null)
            {
                stderr.WriteLine($"error: unknown kernel profile '{p}'; known: {string.Join(", ", KernelProfile.All.Select(k => k.Name))}");
                return (int)ExitCode.BadInput;
            }

            var directory = parse.GetValue(traceDir)!;
            var embedded = SpecEmbedding.Embed(loaded!, text!, specName);
            var options = new CheckerOptions { StopAtFirstViolation = false };
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stdout),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });

            // Paths and property lists are long; a narrow default width would wrap them mid-word.
            console.Profile.Width = 250;
            var table = new Table().Border(TableBorder.Simple).Title($"Mutants against {loaded!.Name} ({(kernel ?? loaded.Profile).Name})");
            table.AddColumn("mutant");
            table.AddColumn("violated property");
            table.AddColumn(new TableColumn("trace length").RightAligned());
            table.AddColumn("trace");
            table.AddColumn("expected by the spec");
            var failed = false;
            var rows = new System.Text.Json.Nodes.JsonArray();
            foreach (var mutant in KernelMutantNames.All.Prepend(KernelMutant.None))
            {
                VerificationResult result;
                try
                {
                    result = Verifier.Check(loaded, new CheckSettings { Profile = kernel, Mutant = mutant, Options = options });
                }
                catch (ArgumentException e)
                {
                    stderr.WriteLine($"error: {loaded.File}: {e.Message}");
                    return (int)ExitCode.BadInput;
                }

                var name = mutant.CliName();
                var expected = mutant == KernelMutant.None ? "holds" : loaded.Expect.Mutants.GetValueOrDefault(name);
                string violated = "survived", length = "-", where = "-", verdict = expected ?? "-";
                if (result.Violation is not null)
                {
                    // Each property has its own shortest counterexample: show and save the one the spec expects.
                    var v = (expected is not null ? result.ViolationOf(expected) : null) ?? result.Violations[0];
                    violated = v.Invariant.Id + (result.ViolatedProperties.Count > 1 ? $" (+{string.Join(", ", result.ViolatedProperties.Where(x => x != v.Invariant.Id))})" : string.Empty);
                    length = v.Trace.Length.ToString(CultureInfo.InvariantCulture);
                    var path = Path.Combine(directory, $"{loaded.Name}.{name}.json");
                    var source = new TraceSource(embedded, result.Semantics, loaded.Properties, EngineSettings.Of(options));
                    if (!TraceCommand.TryWrite(path, TraceJson.WriteBytes(TraceRecorder.RecordViolation(source, v.Trace, v.Invariant.Id)), stderr))
                    {
                        return (int)ExitCode.BadInput;
                    }

                    where = path;
                }
                else if (result.Verdict == Verdict.Inconclusive)
                {
                    violated = "inconclusive (bound)";
                }
                else if (mutant == KernelMutant.None)
                {
                    violated = "none: every property holds";
                }

                if (mutant == KernelMutant.None)
                {
                    var ok = result.Verdict == Verdict.Holds;
                    verdict = ok ? "holds: ok" : "holds: NOT MET";
                    failed |= !ok;
                }
                else if (expected is not null)
                {
                    var ok = result.ViolatedProperties.Contains(expected);
                    verdict = ok ? $"{expected}: killed" : $"{expected}: NOT KILLED";
                    failed |= !ok;
                }

                rows.Add(new System.Text.Json.Nodes.JsonObject
                {
                    ["mutant"] = name,
                    ["engineVerdict"] = result.Verdict.ToString().ToLowerInvariant(),
                    ["violatedProperties"] = JsonOutput.Strings(result.ViolatedProperties),
                    ["counterexample"] = result.Violation is { } cx
                        ? new System.Text.Json.Nodes.JsonObject { ["property"] = cx.Invariant.Id, ["message"] = cx.Message, ["steps"] = cx.Trace.Length, ["path"] = where }
                        : null,
                    ["expected"] = expected,
                    ["expectationMet"] = expected is null ? null : !verdict.Contains("NOT", StringComparison.Ordinal),
                    ["statistics"] = JsonOutput.Statistics(result.Stats),
                });
                table.AddRow(Markup.Escape(mutant == KernelMutant.None ? "none (real kernel)" : name), Markup.Escape(violated), length, Markup.Escape(where), Markup.Escape(verdict));
            }

            var code = failed ? ExitCode.Violated : ExitCode.Holds;
            if (parse.GetValue(json))
            {
                return JsonOutput.Write(stdout, "mutants", code, new System.Text.Json.Nodes.JsonObject
                {
                    ["verdict"] = JsonOutput.Verdict(code),
                    ["spec"] = loaded.File,
                    ["scenario"] = loaded.Name,
                    ["profile"] = (kernel ?? loaded.Profile).Name,
                    ["mutants"] = rows,
                });
            }

            console.Write(table);
            stdout.WriteLine("Replay a trace with 'natverify replay FILE'; shrink it with 'natverify trace minimize FILE'.");
            return (int)code;
        });
        return command;
    }
}
