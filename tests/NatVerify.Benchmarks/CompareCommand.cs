using System.Globalization;
using System.Text;
using NatVerify.Checker;
using NatVerify.Reference;

namespace NatVerify.Benchmarks;

/// <summary>
/// <c>compare VARIANT [--reduce ...] [--sleep on|off] [--workers N] [--expected-states N]</c>: one exploration of a reference variant,
/// reported as one JSON line (the engine's side of scripts/compare-spin.sh).
/// </summary>
public static class CompareCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("compare needs a variant name, e.g. N8_K8_nd");
        }

        RefVariant variant = RefVariant.Parse(args[0]);
        string reduce = "none";
        bool sleep = false;
        int workers = 1;
        long? expected = null;
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
                case "--workers" when value is "1" or "2":
                    workers = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--expected-states" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n):
                    expected = n;
                    break;
                default:
                    throw new UsageException($"bad option {args[i]} {value}");
            }

            i++;
        }

        var model = new RefModel(variant);
        IStateEncoder<ulong> encoder = reduce.Contains("sym", StringComparison.Ordinal) ? new RefSymmetry(model) : model;
        var options = new CheckerOptions
        {
            PartialOrderReduction = reduce.Contains("por", StringComparison.Ordinal),
            SleepSets = sleep,
            Workers = workers,
            ExpectedStates = expected,
            StopAtFirstViolation = false,
            ProgressInterval = TimeSpan.FromDays(1),
        };
        var checker = new ModelChecker<ulong, RefStep>(model, encoder, [model.TupleUniqueness], options);
        CheckResult<ulong, RefStep> result = checker.Run();
        ExplorationStats s = result.Stats;
        long rssKb = PeakMemory.KiloBytes();
        double seconds = s.Elapsed.TotalSeconds;
        long engineBytes = s.FingerprintSetBytes + s.ParentBytes + (s.PeakFrontier * sizeof(ulong));
        var record = new Dictionary<string, object>
        {
            ["tool"] = "natverify",
            ["model"] = variant.Name,
            ["reduce"] = reduce,
            ["workers"] = workers,
            ["jit"] = JitSettings.Describe(),
            ["verdict"] = result switch
            {
                Verified<ulong, RefStep> => "holds",
                Violated<ulong, RefStep> => "violated",
                _ => "inconclusive",
            },
            ["states"] = s.StatesStored,
            ["transitions"] = s.Transitions,
            ["terminal"] = s.TerminalStates,
            ["depth"] = s.MaxDepthReached,
            ["reduced_expansions"] = s.ReducedExpansions,
            ["sleep_sets"] = s.SleepSets ?? "not asked",
            ["sleep_pruned"] = s.SleepSetPrunedSteps,
            ["sleep_reexpansions"] = s.SleepSetReexpansions,
            ["explore_s"] = Math.Round(seconds, 4),
            ["states_per_s"] = Math.Round(seconds > 0 ? s.StatesStored / seconds : 0),
            ["peak_rss_kb"] = rssKb,
            ["fingerprint_bytes"] = s.FingerprintSetBytes,
            ["parent_bytes"] = s.ParentBytes,
            ["peak_frontier"] = s.PeakFrontier,
            ["engine_bytes_per_state"] = Math.Round(s.StatesStored > 0 ? (double)engineBytes / s.StatesStored : 0, 2),
            ["state_bits"] = model.StateBits,
            ["exact"] = s.ExactStates,
            ["collision_probability"] = s.CollisionProbability,
            ["gc"] = $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}",
        };
        if (result is Violated<ulong, RefStep> violated)
        {
            record["trace_length"] = violated.Trace.Length;
            record["trace"] = string.Join("; ", violated.Trace.Steps.Select(t => t.Action.ToString()));
        }

        Console.Out.WriteLine(ToJson(record));
        return result is Inconclusive<ulong, RefStep> ? 3 : 0;
    }

    /// <summary>A flat JSON object; written by hand because the reflection-based serializer costs more start-up than small runs take.</summary>
    internal static string ToJson(Dictionary<string, object> record)
    {
        var json = new StringBuilder("{");
        foreach ((string key, object value) in record)
        {
            if (json.Length > 1)
            {
                json.Append(',');
            }

            json.Append('"').Append(key).Append("\":");
            json.Append(value switch
            {
                string text => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                bool b => b ? "true" : "false",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => "\"" + value + "\"",
            });
        }

        return json.Append('}').ToString();
    }
}
