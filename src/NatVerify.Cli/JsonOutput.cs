using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using NatVerify.Checker;
using NatVerify.Verification;

namespace NatVerify.Cli;

/// <summary>
/// The machine-readable output of every reporting command (<c>--json</c>): one envelope
/// <c>{"schemaVersion", "command", "tool", "exitCode", "result"}</c> with a per-command result, documented in
/// docs/json-output.md and published as docs/schema/natverify-output.schema.json. With <c>--json</c> the human report is
/// not written at all, so stdout holds exactly one JSON document; errors and progress stay on stderr.
/// </summary>
internal static class JsonOutput
{
    /// <summary>The schema version; raised on any incompatible change (a removed or retyped field).</summary>
    public const int SchemaVersion = 1;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The <c>--json</c> option every reporting command carries.</summary>
    public static Option<bool> CreateOption() => new("--json")
    {
        Description = "Write one JSON document (schema: docs/json-output.md) to stdout instead of the report.",
    };

    /// <summary>Writes the envelope around <paramref name="result"/> and returns <paramref name="code"/>.</summary>
    public static int Write(TextWriter stdout, string command, ExitCode code, JsonObject result)
    {
        var envelope = new JsonObject
        {
            ["schemaVersion"] = SchemaVersion,
            ["command"] = command,
            ["tool"] = new JsonObject { ["name"] = "natverify", ["version"] = ToolVersion.Version, ["commit"] = ToolVersion.Commit },
            ["exitCode"] = (int)code,
            ["result"] = result,
        };
        stdout.WriteLine(envelope.ToJsonString(Indented));
        return (int)code;
    }

    /// <summary>The verdict word of an exit code: the one field every result shares.</summary>
    public static string Verdict(ExitCode code) => code switch
    {
        ExitCode.Holds => "holds",
        ExitCode.Violated => "violated",
        ExitCode.Inconclusive => "inconclusive",
        _ => "error",
    };

    /// <summary>Engine statistics (the <c>statistics</c> definition).</summary>
    public static JsonObject Statistics(ExplorationStats s)
    {
        var statistics = new JsonObject
        {
            ["states"] = s.StatesStored,
            ["transitions"] = s.Transitions,
            ["maxDepth"] = s.MaxDepthReached,
            ["terminalStates"] = s.TerminalStates,
            ["elapsedMs"] = Math.Round(s.Elapsed.TotalMilliseconds, 3),
            ["statesPerSecond"] = Math.Round(s.StatesPerSecond, 1),
            ["fingerprintBytes"] = s.FingerprintSetBytes,
            ["exactStates"] = s.ExactStates,
            ["collisionProbability"] = s.CollisionProbability,
            // What the fingerprints hash: the exact 64-bit state, the run's slot numbers, or the canonical bytes.
            ["fingerprints"] = s.ExactStates ? "exact" : s.RunFingerprints ? "run" : "canonical",
            ["peakFrontier"] = s.PeakFrontier,
            ["workers"] = s.Workers,
        };

        // Only when sleep sets were asked for (--reduce por+sleep...): "on", or "off: " and why.
        if (s.SleepSets is { } sleep)
        {
            statistics["sleepSets"] = sleep;
            statistics["sleepSetPrunedSteps"] = s.SleepSetPrunedSteps;
            statistics["sleepSetReexpansions"] = s.SleepSetReexpansions;
        }

        return statistics;
    }

    /// <summary>The bound that ended a search (the <c>bound</c> definition), or null for an exhaustive one.</summary>
    public static JsonNode? Bound(Inconclusive<Model.State.NatState, Model.Steps.NatStep>? inconclusive) => inconclusive is null
        ? null
        : new JsonObject
        {
            ["kind"] = BoundKindName(inconclusive.Bound),
            ["detail"] = inconclusive.Detail,
        };

    /// <summary>The <c>kind</c> of a <c>bound</c> object.</summary>
    public static string BoundKindName(BoundKind kind) => kind switch
    {
        BoundKind.MaxStates => "max-states",
        BoundKind.MaxDepth => "max-depth",
        BoundKind.MaxMemory => "max-memory",
        BoundKind.Timeout => "timeout",
        BoundKind.NodeLost => "node-lost",
        _ => "cancelled",
    };

    /// <summary>The result of <c>natverify check</c> (the <c>checkResult</c> definition).</summary>
    public static JsonObject Check(VerificationResult r, ExitCode code, string? tracePath, IReadOnlyList<string>? witnessPaths, RunLimits limits)
    {
        var joint = new JsonArray();
        var n = 0;
        foreach (var j in r.Outcomes.Joint)
        {
            joint.Add(new JsonObject
            {
                ["outcomes"] = Strings(j.Outcomes.Select(o => o.ToString())),
                ["deciders"] = new JsonArray(j.Outcomes.Select(o => Rule(CheckPrinter.OutcomeRule(r.Semantics, o))).ToArray()),
                ["terminalStates"] = j.TerminalStates,
                ["renames"] = j.RenamedFrom >= 0 ? j.RenamedFrom + 1 : null,
                ["witnessSteps"] = j.Witness.Length,
                ["witnessPath"] = witnessPaths is not null && n < witnessPaths.Count ? witnessPaths[n] : null,
            });
            n++;
        }

        return new JsonObject
        {
            ["verdict"] = Verdict(code),
            ["engineVerdict"] = r.Verdict.ToString().ToLowerInvariant(),
            ["spec"] = r.Spec.File,
            ["scenario"] = r.Spec.Name,
            ["profile"] = r.Profile.Name,
            ["mutant"] = Model.KernelMutantNames.CliName(r.Mutant),
            ["exhaustive"] = r.Exhaustive,
            ["bound"] = Bound(r.Inconclusive),
            ["limits"] = limits.Json(),
            ["violatedProperties"] = Strings(r.ViolatedProperties),
            ["counterexample"] = r.Violation is { } v
                ? new JsonObject
                {
                    ["property"] = v.Invariant.Id,
                    ["message"] = v.Message,
                    ["steps"] = v.Trace.Length,
                    ["path"] = tracePath,
                }
                : null,
            ["outcomes"] = new JsonObject { ["actors"] = Strings(r.Outcomes.Actors), ["joint"] = joint },
            ["expectationFailures"] = Strings(r.ExpectationFailures),
            ["statistics"] = Statistics(r.Stats),
        };
    }

    /// <summary>A rule or policy with its location (the <c>ruleRef</c> definition), or null.</summary>
    public static JsonNode? Rule(Model.Nat.RuleRef? rule) => rule is null
        ? null
        : new JsonObject
        {
            ["name"] = rule.Name,
            ["text"] = rule.Text,
            ["file"] = rule.Location?.File,
            ["line"] = rule.Location?.Line,
            ["column"] = rule.Location?.Column,
            ["handle"] = rule.Location?.Handle,
            ["jsonIndex"] = rule.Location?.JsonIndex,
        };

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    /// <summary>Milliseconds, rounded for humans reading the JSON.</summary>
    public static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 3);
}

/// <summary>The tool's version and the git commit it was built from (embedded at build time, see the .csproj).</summary>
internal static class ToolVersion
{
    private static readonly string Informational =
        typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The package version, without build metadata.</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>The commit (SourceRevisionId), or "unknown" when the build had no git checkout.</summary>
    public static string Commit => Informational.Split('+') is [_, var c, ..] && c.Length > 0 ? c : "unknown";

    /// <summary>The line <c>natverify --version</c> prints.</summary>
    public static string Line => string.Create(CultureInfo.InvariantCulture, $"natverify {Version} (commit {Commit})");
}
