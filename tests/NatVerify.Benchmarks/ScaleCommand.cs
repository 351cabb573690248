using System.Diagnostics;
using System.Globalization;
using NatVerify.Checker;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Benchmarks;

/// <summary>
/// <c>scale SPEC.yaml [--reduce none|por|sym|por+sym] [--sleep on|off] [--timeout S] [--max-memory MiB] [--max-states N] [--expected-states N] [--frontier packed|objects] [--fingerprints run|canonical]</c>: one exhaustive
/// breadth-first check of a product-model spec (the scale scenarios of specs/scale/), reported as one JSON line with
/// states, CPU seconds, states per CPU-second, peak RSS per state, and what the run allocated on the managed heap.
/// </summary>
public static class ScaleCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new UsageException("scale needs a spec file, e.g. specs/scale/three-seed-races.yaml");
        }

        string file = args[0];
        string reduce = "none";
        bool sleep = false;
        double? timeout = null;
        long? maxMemory = null;
        long? expected = null;
        long? maxStates = null;
        bool packed = true;
        bool runFingerprints = true;
        for (int i = 1; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--reduce" when value is "none" or "por" or "sym" or "por+sym":
                    reduce = value;
                    break;
                case "--sleep" when value is "on" or "off":
                    sleep = value == "on";
                    break;
                case "--timeout" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && t > 0:
                    timeout = t;
                    break;
                case "--max-memory" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long m) && m > 0:
                    maxMemory = m;
                    break;
                case "--frontier" when value is "packed" or "objects":
                    packed = value == "packed";
                    break;
                case "--fingerprints" when value is "run" or "canonical":
                    runFingerprints = value == "run";
                    break;
                case "--max-states" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) && ms > 0:
                    maxStates = ms;
                    break;
                case "--expected-states" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n):
                    expected = n;
                    break;
                default:
                    throw new UsageException($"bad option {args[i]} {value}");
            }

            i++;
        }

        ScenarioSpec spec;
        try
        {
            spec = SpecLoader.LoadFile(file);
        }
        catch (SpecException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var settings = new CheckSettings
        {
            PackedFrontier = packed,
            RunFingerprints = runFingerprints,
            Symmetry = reduce.Contains("sym", StringComparison.Ordinal),
            Options = new CheckerOptions
            {
                StopAtFirstViolation = false,
                PartialOrderReduction = reduce.Contains("por", StringComparison.Ordinal),
                SleepSets = sleep,
                Timeout = timeout is { } s ? TimeSpan.FromSeconds(s) : null,
                MaxMemoryBytes = maxMemory * 1024 * 1024,
                ExpectedStates = expected,
                MaxStates = maxStates,
                ProgressInterval = TimeSpan.FromDays(1),
            },
        };

        // Measured from here: the spec is loaded, the check (semantics set-up, search, outcomes) is what counts.
        var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int[] gcBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        VerificationResult result = Verifier.Check(spec, settings);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        ExplorationStats st = result.Stats;
        long rssKb = PeakMemory.KiloBytes();
        long states = Math.Max(1, st.StatesStored);
        var record = new Dictionary<string, object>
        {
            ["spec"] = file,
            ["reduce"] = reduce,
            ["frontier"] = packed ? "packed" : "objects",
            ["fingerprints"] = st.RunFingerprints ? "run" : "canonical",
            ["jit"] = JitSettings.Describe(),
            ["verdict"] = result.Verdict.ToString().ToLowerInvariant(),
            ["bound"] = result.Inconclusive?.Bound.ToString() ?? string.Empty,
            ["states"] = st.StatesStored,
            ["transitions"] = st.Transitions,
            ["terminal"] = st.TerminalStates,
            ["depth"] = st.MaxDepthReached,
            ["reduced_expansions"] = st.ReducedExpansions,
            ["sleep_sets"] = st.SleepSets ?? "not asked",
            ["sleep_pruned"] = st.SleepSetPrunedSteps,
            ["sleep_reexpansions"] = st.SleepSetReexpansions,
            ["sleep_bytes"] = st.SleepSetBytes,
            ["outcomes"] = result.Outcomes.Joint.Count,
            ["explore_s"] = Math.Round(st.Elapsed.TotalSeconds, 3),
            ["cpu_s"] = Math.Round(cpu, 3),
            ["states_per_cpu_s"] = Math.Round(cpu > 0 ? st.StatesStored / cpu : 0),
            ["peak_rss_kb"] = rssKb,
            ["rss_bytes_per_state"] = Math.Round(rssKb * 1024.0 / states, 1),
            ["allocated_bytes_per_state"] = Math.Round((double)allocated / states, 1),
            ["peak_frontier"] = st.PeakFrontier,
            ["peak_frontier_bytes"] = st.PeakFrontierBytes,
            ["gc"] = $"{GC.CollectionCount(0) - gcBefore[0]}/{GC.CollectionCount(1) - gcBefore[1]}/{GC.CollectionCount(2) - gcBefore[2]}",
        };
        Console.Out.WriteLine(CompareCommand.ToJson(record));
        return result.Verdict == Verdict.Inconclusive ? 3 : 0;
    }
}
