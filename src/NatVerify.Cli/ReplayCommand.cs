using System.CommandLine;
using NatVerify.Model;
using NatVerify.Reporting;
using NatVerify.Specs;
using NatVerify.Traces;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify replay TRACE</c>: re-executes a saved trace deterministically and prints it. Exit 1 when it
/// reproduces its violation, 0 when it replays without one (a witness, or a violation the model no longer shows),
/// 3 when it diverges (the first choice the model no longer offers is reported), 2 on bad input.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("trace") { Description = "A trace file written by natverify (check --trace-out, mutants, trace minimize)." };
        var spec = new Option<string?>("--spec") { Description = "Replay against this spec (file or seed:NAME) instead of the embedded one; actors are matched by name." };
        var profile = new Option<string?>("--profile") { Description = $"Replay under another kernel profile: {string.Join(", ", KernelProfile.All.Select(p => p.Name))}." };
        var mutant = new Option<string?>("--mutant") { Description = $"Replay under another mutant (none: the real kernel): {string.Join(", ", KernelMutantNames.All.Select(m => m.CliName()))}." };
        var traceOut = new Option<string?>("--trace-out") { Description = "Record the replayed trace again into this file (byte-identical to the input when nothing changed)." };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the result line." };
        var json = JsonOutput.CreateOption();
        var command = new Command("replay", "Re-execute a saved trace step by step and report whether it still shows its violation.")
        {
            file, spec, profile, mutant, traceOut, quiet, json,
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var human = asJson ? TextWriter.Null : stdout;
            var path = parse.GetValue(file)!;
            var options = new ReplayOptions();
            EmbeddedSpec? replacement = null;
            if (parse.GetValue(spec) is { } specName)
            {
                if (!CheckCommand.TryLoad(specName, stderr, out var loaded, out var text))
                {
                    return (int)ExitCode.BadInput;
                }

                options = options with { Spec = loaded };
                replacement = SpecEmbedding.Embed(loaded!, text!, specName);
            }

            if (parse.GetValue(profile) is { } p)
            {
                if (KernelProfile.Find(p) is not { } found)
                {
                    stderr.WriteLine($"error: unknown kernel profile '{p}'; known: {string.Join(", ", KernelProfile.All.Select(k => k.Name))}");
                    return (int)ExitCode.BadInput;
                }

                options = options with { Profile = found };
            }

            if (parse.GetValue(mutant) is { } m)
            {
                if (!KernelMutantNames.TryParse(m, out var km))
                {
                    stderr.WriteLine($"error: unknown mutant '{m}'; known: none, {string.Join(", ", KernelMutantNames.All.Select(x => x.CliName()))}");
                    return (int)ExitCode.BadInput;
                }

                options = options with { Mutant = km };
            }

            if (!TraceCommand.TryReplay(path, options, stderr, out var replay))
            {
                return (int)ExitCode.BadInput;
            }

            var r = replay!;
            if (!parse.GetValue(quiet))
            {
                human.WriteLine($"natverify replay {path}");
                var view = new TraceViewBuilder(r.Semantics).Build(r.Trace, r.File);
                foreach (var (key, value) in view.Facts)
                {
                    human.WriteLine($"  {key}: {value}");
                }

                if (options.Spec is not null || options.Profile is not null || options.Mutant is not null)
                {
                    human.WriteLine($"  replayed against: spec {r.Spec.Name} ({r.Spec.File}), profile {r.Semantics.Profile.Name}, mutant {r.Semantics.Mutant.CliName()}");
                }

                human.WriteLine();
                foreach (var line in TraceRenderer.RenderSteps(view))
                {
                    human.WriteLine(line);
                }

                human.WriteLine();
                foreach (var note in r.Notes)
                {
                    human.WriteLine($"note: {note}");
                }
            }

            var code = ResultLine(r, human);
            if (parse.GetValue(traceOut) is { } outPath && r.Divergence is null)
            {
                var source = new TraceSource(replacement ?? r.File.Spec, r.Semantics, r.File.Properties, r.File.Engine, r.File.Seed);
                var again = r.File.Kind == TraceKind.Violation && r.Violation is not null
                    ? TraceRecorder.RecordViolation(source, r.Trace, r.File.Property!)
                    : TraceRecorder.RecordWitness(source, r.Trace);
                if (!TraceCommand.TryWrite(outPath, TraceJson.WriteBytes(again with { Minimization = r.File.Minimization }), stderr))
                {
                    return (int)ExitCode.BadInput;
                }
            }

            if (asJson)
            {
                return JsonOutput.Write(stdout, "replay", code, new System.Text.Json.Nodes.JsonObject
                {
                    ["verdict"] = JsonOutput.Verdict(code),
                    ["trace"] = path,
                    ["kind"] = r.File.Kind == TraceKind.Witness ? "witness" : "violation",
                    ["spec"] = r.Spec.File,
                    ["scenario"] = r.Spec.Name,
                    ["profile"] = r.Semantics.Profile.Name,
                    ["mutant"] = r.Semantics.Mutant.CliName(),
                    ["steps"] = r.Trace.Length,
                    ["reproduced"] = r.Reproduced,
                    ["property"] = r.File.Property,
                    ["violation"] = r.Violation,
                    ["firstViolatingStep"] = r.Violation is null ? null : r.FirstViolatingStep,
                    ["divergence"] = r.Divergence?.Detail,
                    ["notes"] = JsonOutput.Strings(r.Notes),
                });
            }

            return (int)code;
        });
        return command;
    }

    /// <summary>Prints the one-line result of a replay and returns its exit code.</summary>
    internal static ExitCode ResultLine(ReplayResult r, TextWriter stdout)
    {
        if (r.Divergence is { } d)
        {
            stdout.WriteLine($"Result: DIVERGED. {d.Detail}");
            stdout.WriteLine("The trace does not apply to this spec and model any more: nothing is reproduced or refuted.");
            return ExitCode.Inconclusive;
        }

        if (r.File.Kind == TraceKind.Witness)
        {
            stdout.WriteLine($"Result: REPRODUCED. The witness ends with {{{string.Join(", ", r.File.Outcomes.Select(o => $"{o.Actor}: {o.Outcome}"))}}} as recorded.");
            return ExitCode.Holds;
        }

        if (r.Violation is { } message)
        {
            stdout.WriteLine($"Result: REPRODUCED. {r.File.Property} fails after step {r.FirstViolatingStep}: {message}");
            return ExitCode.Violated;
        }

        stdout.WriteLine($"Result: NO VIOLATION. Every step replayed, but {r.File.Property} holds in the final state (the model changed).");
        return ExitCode.Holds;
    }
}
