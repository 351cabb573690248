using System.CommandLine;
using System.Globalization;
using NatVerify.Checker;
using NatVerify.Cluster.Hosting;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Specs;
using NatVerify.Traces;
using NatVerify.Verification;

namespace NatVerify.Cli;

/// <summary><c>natverify check</c>: explores a spec exhaustively and prints verdict, outcomes, statistics and any counterexample.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var spec = new Argument<string?>("spec")
        {
            Description = $"A scenario spec (YAML file) or an embedded seed spec 'seed:NAME'. Default: {EmbeddedSpecs.Default}.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var profile = new Option<string?>("--profile")
        {
            Description = $"Kernel profile, overriding the spec's: {string.Join(", ", KernelProfile.All.Select(p => p.Name))}.",
        };
        var mutant = new Option<string?>("--mutant")
        {
            Description = $"Check a deliberately broken kernel: {string.Join(", ", KernelMutantNames.All.Select(m => m.CliName()))}.",
        };
        var search = new Option<string>("--search") { Description = "Search order: bfs (shortest counterexample) or dfs.", DefaultValueFactory = _ => "bfs" };
        var reduce = new Option<string>("--reduce")
        {
            Description = "State-space reduction: none (the default; exact state counts), por (partial-order reduction from the steps' read/write footprints), sym (one state per renaming of interchangeable actors: flows identical but for their names, and races: flows exchanged together with the ports and marks they and their rules name; the outcome set is closed under the renamings), por+sym (both), or por+sleep and por+sleep+sym (partial-order reduction with sleep sets: fewer transitions, rarely fewer states, often more CPU). Same verdicts, violated properties and outcome sets, fewer states; traces are shortest only within the reduced graph; docs/performance.md.",
            DefaultValueFactory = _ => "none",
        };
        var maxStates = new Option<long?>("--max-states") { Description = "Stop (inconclusive) after storing this many distinct states." };
        var maxDepth = new Option<int?>("--max-depth") { Description = "Do not expand states deeper than this many steps (inconclusive if that cut anything)." };
        var maxMemory = new Option<long?>("--max-memory") { Description = "Stop (inconclusive) when the process's resident memory (RSS, /proc/self/statm) exceeds this many MiB. Default: 75% of the machine's available memory (MemAvailable, or the cgroup limit when lower)." };
        var timeout = new Option<double?>("--timeout") { Description = "Stop (inconclusive) after this many seconds." };
        var properties = new Option<string[]>("--property")
        {
            Description = $"Check only these properties (repeatable): {string.Join(", ", PropertyIds.All)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var witnesses = new Option<bool>("--witnesses") { Description = "Print a shortest trace for every distinct joint outcome." };
        var traceOut = new Option<string?>("--trace-out") { Description = "Save the counterexample as a trace file (docs/traces.md) for natverify replay, trace minimize and trace export." };
        var minimize = new Option<bool>("--minimize") { Description = "Minimise the counterexample by delta debugging (fewer actors, rules, constraints and steps) and print it; with --trace-out the minimised trace is saved." };
        var witnessOut = new Option<string?>("--witness-out") { Description = "Save a shortest witness trace for every distinct joint outcome into this directory (witness-N.json)." };
        var json = JsonOutput.CreateOption();
        var allowOutside = SpecAccess.CreateOption();
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Run on an Orleans cluster of 'natverify worker' silos: key=value pairs separated by ';' (membership=localhost or redis=HOST:PORT, partitions=N, ...) or a file of them (docs/distributed.md).",
        };

        var command = new Command("check", "Explore every interleaving of a scenario and check the properties in every state.")
        {
            spec, profile, mutant, search, reduce, maxStates, maxDepth, maxMemory, timeout, properties, witnesses, traceOut, minimize, witnessOut, json, allowOutside, cluster,
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var human = asJson ? TextWriter.Null : stdout;
            var specName = parse.GetValue(spec) ?? EmbeddedSpecs.Default;
            if (!TryLoad(specName, stderr, out var loaded, out var text, SpecAccess.Options(parse.GetValue(allowOutside))))
            {
                return (int)ExitCode.BadInput;
            }

            var settings = new CheckSettings
            {
                Options = new CheckerOptions
                {
                    StopAtFirstViolation = false,
                },
            };
            if (!TryBuildSettings(parse, profile, mutant, search, reduce, maxStates, maxDepth, maxMemory, timeout, properties, stderr, ref settings))
            {
                return (int)ExitCode.BadInput;
            }

            var progress = new Progress(stderr, settings.Options.MaxStates, settings.Options.Timeout);

            // The engine applies the chosen memory bound; the trace keeps the user's settings, so a trace file does not
            // depend on the memory of the machine that wrote it.
            var limits = new RunLimits(ProcessMemory.Choose(settings.Options.MaxMemoryBytes), settings.Options.Timeout, settings.Options.MaxStates, settings.Options.MaxDepth);
            var run = settings with { Options = settings.Options with { MaxMemoryBytes = limits.Memory?.Bytes } };
            ClusterConfig? clusterConfig = null;
            if (parse.GetValue(cluster) is { } clusterText && !ClusterCheck.TryParseConfig(clusterText, stderr, out clusterConfig))
            {
                return (int)ExitCode.BadInput;
            }

            if (clusterConfig is not null && (run.Options.PartialOrderReduction || run.Symmetry))
            {
                // Partitions expand states independently; the stubborn-set cycle proviso needs one search's stack or
                // queue, and the cluster's codec fingerprints concrete states, so it explores the full graph (docs/distributed.md).
                stderr.WriteLine($"error: --reduce {parse.GetValue(reduce)} cannot be combined with --cluster; the cluster explores the unreduced state space");
                return (int)ExitCode.BadInput;
            }

            VerificationResult result;
            try
            {
                if (clusterConfig is null)
                {
                    result = Verifier.Check(loaded!, run, progress.Report);
                }
                else if (ClusterCheck.Run(clusterConfig, specName, text!, run, progress.Report, human, stderr) is { } onCluster)
                {
                    result = onCluster;
                }
                else
                {
                    return (int)ExitCode.BadInput;
                }
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"error: {loaded!.File}: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            progress.Done();
            var printer = new CheckPrinter(human);
            printer.Print(result, parse.GetValue(witnesses), limits);
            var source = new TraceSource(SpecEmbedding.Embed(loaded!, text!, specName), result.Semantics, settings.Properties ?? loaded!.Properties, EngineSettings.Of(settings.Options, settings.Symmetry));
            var code = ExitCodeOf(result);
            string? tracePath = null;
            List<string>? witnessPaths = null;
            if (result.Violation is { } violation)
            {
                var trace = TraceRecorder.RecordViolation(source, violation.Trace, violation.Invariant.Id);
                if (parse.GetValue(minimize))
                {
                    var minimized = TraceMinimizer.Minimize(trace, specName);
                    printer.PrintMinimized(minimized.Trace, TraceReplayer.Replay(minimized.Trace, specName));
                    trace = minimized.Trace;
                }

                if (parse.GetValue(traceOut) is { } path && !TraceCommand.TryWrite(path, TraceJson.WriteBytes(trace), stderr))
                {
                    return (int)ExitCode.BadInput;
                }

                tracePath = parse.GetValue(traceOut);
                if (parse.GetValue(traceOut) is { } written)
                {
                    human.WriteLine();
                    human.WriteLine($"Trace written to {written} (replay: natverify replay {written}; render: natverify trace export --html {written})");
                }
            }
            else if (parse.GetValue(traceOut) is { } path)
            {
                human.WriteLine();
                human.WriteLine($"No counterexample, so {path} was not written.");
            }

            if (parse.GetValue(witnessOut) is { } directory)
            {
                witnessPaths = [];
                if (!WriteWitnesses(directory, source, result, human, stderr, witnessPaths))
                {
                    return (int)ExitCode.BadInput;
                }
            }

            return asJson ? JsonOutput.Write(stdout, "check", code, JsonOutput.Check(result, code, tracePath, witnessPaths, limits)) : (int)code;
        });
        return command;
    }

    /// <summary>Holds only when exhaustive, no property failed and every expectation held.</summary>
    internal static ExitCode ExitCodeOf(VerificationResult result) => result switch
    {
        { Verdict: Verdict.Violated } => ExitCode.Violated,
        { ExpectationFailures.Count: > 0 } => ExitCode.Violated,
        { Verdict: Verdict.Inconclusive } => ExitCode.Inconclusive,
        _ => ExitCode.Holds,
    };

    /// <summary>Loads a spec file or embedded seed spec, keeping its text for trace files; errors go to stderr.</summary>
    internal static bool TryLoad(string name, TextWriter stderr, out ScenarioSpec? spec, out string? text, Specs.Input.SpecLoadOptions? options = null)
    {
        spec = null;
        text = null;
        try
        {
            if (name.StartsWith("seed:", StringComparison.Ordinal))
            {
                text = EmbeddedSpecs.Read(name);
                if (text is null)
                {
                    stderr.WriteLine($"error: no embedded spec '{name}'; embedded specs: {string.Join(", ", EmbeddedSpecs.Names())}");
                    return false;
                }

                spec = SpecLoader.Parse(text, name);
            }
            else
            {
                text = SpecLoader.ReadSpecText(name);
                spec = SpecLoader.Parse(text, name, options ?? Specs.Input.SpecLoadOptions.Default);
            }

            return true;
        }
        catch (SpecException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return false;
        }
    }

    private static bool WriteWitnesses(string directory, TraceSource source, VerificationResult result, TextWriter stdout, TextWriter stderr, List<string> written)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"error: cannot create directory {directory}: {e.Message}");
            return false;
        }

        stdout.WriteLine();
        var n = 0;
        foreach (var joint in result.Outcomes.Joint)
        {
            var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"witness-{++n}.json"));
            if (!TraceCommand.TryWrite(path, TraceJson.WriteBytes(TraceRecorder.RecordWitness(source, joint.Witness)), stderr))
            {
                return false;
            }

            written.Add(path);
            stdout.WriteLine($"Witness of {{{string.Join(", ", result.Outcomes.Actors.Select((a, i) => $"{a}: {joint.Outcomes[i]}"))}}} written to {path}");
        }

        return true;
    }

    private static bool TryBuildSettings(
        ParseResult parse, Option<string?> profile, Option<string?> mutant, Option<string> search, Option<string> reduce, Option<long?> maxStates,
        Option<int?> maxDepth, Option<long?> maxMemory, Option<double?> timeout, Option<string[]> properties, TextWriter stderr,
        ref CheckSettings settings)
    {
        var options = settings.Options;
        switch (parse.GetValue(search))
        {
            case "bfs":
                options = options with { Order = SearchOrder.BreadthFirst };
                break;
            case "dfs":
                options = options with { Order = SearchOrder.DepthFirst };
                break;
            default:
                stderr.WriteLine($"error: --search must be bfs or dfs, not '{parse.GetValue(search)}'");
                return false;
        }

        switch (parse.GetValue(reduce))
        {
            case "none":
                break;
            case "por":
                options = options with { PartialOrderReduction = true };
                break;
            case "sym":
                settings = settings with { Symmetry = true };
                break;
            case "por+sym":
                options = options with { PartialOrderReduction = true };
                settings = settings with { Symmetry = true };
                break;
            case "por+sleep":
                options = options with { PartialOrderReduction = true, SleepSets = true };
                break;
            case "por+sleep+sym":
                options = options with { PartialOrderReduction = true, SleepSets = true };
                settings = settings with { Symmetry = true };
                break;
            default:
                stderr.WriteLine($"error: --reduce must be none, por, sym, por+sym, por+sleep or por+sleep+sym, not '{parse.GetValue(reduce)}'");
                return false;
        }

        if (parse.GetValue(profile) is { } p)
        {
            var found = KernelProfile.Find(p);
            if (found is null)
            {
                stderr.WriteLine($"error: unknown kernel profile '{p}'; known: {string.Join(", ", KernelProfile.All.Select(k => k.Name))}");
                return false;
            }

            settings = settings with { Profile = found };
        }

        if (parse.GetValue(mutant) is { } m)
        {
            if (!KernelMutantNames.TryParse(m, out var km))
            {
                stderr.WriteLine($"error: unknown mutant '{m}'; known: {string.Join(", ", KernelMutantNames.All.Select(x => x.CliName()))}");
                return false;
            }

            settings = settings with { Mutant = km };
        }

        if (parse.GetValue(properties) is { Length: > 0 } props)
        {
            var unknown = props.Where(x => !PropertyIds.All.Contains(x)).ToList();
            if (unknown.Count > 0)
            {
                stderr.WriteLine($"error: unknown property '{unknown[0]}'; known: {string.Join(", ", PropertyIds.All)}");
                return false;
            }

            settings = settings with { Properties = props };
        }

        if (parse.GetValue(maxStates) is { } ms)
        {
            if (ms < 1)
            {
                stderr.WriteLine("error: --max-states must be at least 1");
                return false;
            }

            options = options with { MaxStates = ms };
        }

        if (parse.GetValue(maxDepth) is { } md)
        {
            if (md < 0)
            {
                stderr.WriteLine("error: --max-depth must not be negative");
                return false;
            }

            options = options with { MaxDepth = md };
        }

        if (parse.GetValue(maxMemory) is { } mm)
        {
            if (mm < 1)
            {
                stderr.WriteLine("error: --max-memory must be at least 1 (MiB)");
                return false;
            }

            options = options with { MaxMemoryBytes = mm * 1024 * 1024 };
        }

        if (parse.GetValue(timeout) is { } t)
        {
            if (t <= 0 || double.IsNaN(t) || double.IsInfinity(t))
            {
                stderr.WriteLine("error: --timeout must be a positive number of seconds");
                return false;
            }

            options = options with { Timeout = TimeSpan.FromSeconds(t) };
        }

        settings = settings with { Options = options };
        return true;
    }
}
