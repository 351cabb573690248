using Xunit;
using System.Text.Json;

namespace NatVerify.Cli.Tests;

/// <summary>
/// Every reporting command's real <c>--json</c> output validates against the published schema
/// (docs/schema/natverify-output.schema.json), stdout holds only that document, and its fields say what the human
/// report says.
/// </summary>
public sealed class JsonOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("natverify-json-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonElement Valid(string stdout, string command, ExitCode code)
    {
        JsonSchemaValidator.AssertValid(stdout);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(command, root.GetProperty("command").GetString());
        Assert.Equal((int)code, root.GetProperty("exitCode").GetInt32());
        return root.GetProperty("result");
    }

    [Fact]
    public void Every_bound_kind_has_its_own_json_name_listed_in_the_schema()
    {
        // A lost cluster silo (NodeLost) must not be reported as a cancellation; each kind has its own name.
        var names = Enum.GetValues<Checker.BoundKind>().Select(JsonOutput.BoundKindName).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("node-lost", JsonOutput.BoundKindName(Checker.BoundKind.NodeLost));
        var schema = File.ReadAllText(Path.Combine(CliRunner.Root, "docs", "schema", "natverify-output.schema.json"));
        Assert.All(names, n => Assert.Contains($"\"{n}\"", schema, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_json_of_the_seed_holds_with_three_joint_outcomes_and_validates()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--json");
        Assert.Equal(ExitCode.Holds, code);
        var result = Valid(stdout, "check", code);
        Assert.Equal("holds", result.GetProperty("verdict").GetString());
        Assert.True(result.GetProperty("exhaustive").GetBoolean());
        Assert.Equal(3, result.GetProperty("outcomes").GetProperty("joint").GetArrayLength());
        Assert.Equal(39, result.GetProperty("statistics").GetProperty("states").GetInt64());
    }

    [Fact]
    public void Check_json_says_what_the_fingerprints_hash_per_search()
    {
        // The default single-threaded breadth-first search hashes the run's slot numbers; depth-first hashes the bytes.
        var (code, stdout, _) = CliRunner.Run("check", "--json");
        Assert.Equal("run", Valid(stdout, "check", code).GetProperty("statistics").GetProperty("fingerprints").GetString());
        (code, stdout, _) = CliRunner.Run("check", "--search", "dfs", "--json");
        Assert.Equal("canonical", Valid(stdout, "check", code).GetProperty("statistics").GetProperty("fingerprints").GetString());
    }

    [Fact]
    public void Check_json_of_a_mutant_names_the_violated_property_and_the_trace_file_and_replay_json_reproduces_it()
    {
        var trace = Path.Combine(_dir, "cx.json");
        var (code, stdout, _) = CliRunner.Run("check", "--mutant", "no-null-binding", "--trace-out", trace, "--json");
        Assert.Equal(ExitCode.Violated, code);
        var result = Valid(stdout, "check", code);
        var cx = result.GetProperty("counterexample");
        Assert.Equal(trace, cx.GetProperty("path").GetString());
        Assert.Contains(cx.GetProperty("property").GetString(), result.GetProperty("violatedProperties").EnumerateArray().Select(e => e.GetString()));

        var (replayCode, replayOut, _) = CliRunner.Run("replay", trace, "--json");
        Assert.Equal(ExitCode.Violated, replayCode);
        var replay = Valid(replayOut, "replay", replayCode);
        Assert.True(replay.GetProperty("reproduced").GetBoolean());
        Assert.Equal(cx.GetProperty("property").GetString(), replay.GetProperty("property").GetString());
    }

    [Fact]
    public void Check_json_of_a_bounded_search_is_inconclusive_and_names_the_bound()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--max-states", "5", "--json");
        Assert.Equal(ExitCode.Inconclusive, code);
        var result = Valid(stdout, "check", code);
        Assert.Equal("max-states", result.GetProperty("bound").GetProperty("kind").GetString());
        Assert.False(result.GetProperty("exhaustive").GetBoolean());
    }

    [Fact]
    public void Check_json_with_witness_out_lists_each_witness_file()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--witness-out", _dir, "--json");
        var joint = Valid(stdout, "check", code).GetProperty("outcomes").GetProperty("joint");
        foreach (var j in joint.EnumerateArray())
        {
            Assert.True(File.Exists(j.GetProperty("witnessPath").GetString()));
        }
    }

    [Fact]
    public void Mutants_json_kills_every_expected_mutant_and_validates()
    {
        var (code, stdout, _) = CliRunner.Run("mutants", "--trace-dir", _dir, "--json");
        var result = Valid(stdout, "mutants", code);
        var rows = result.GetProperty("mutants").EnumerateArray().ToList();
        Assert.Equal("none", rows[0].GetProperty("mutant").GetString());
        Assert.Contains(rows, r => r.GetProperty("counterexample").ValueKind == JsonValueKind.Object
            && File.Exists(r.GetProperty("counterexample").GetProperty("path").GetString()));
    }

    [Fact]
    public void Props_json_reports_every_property_row_and_the_seed()
    {
        var (code, stdout, _) = CliRunner.Run("props", "seed:race-unconstrained", "--seed", "7", "--count", "5", "--schedules", "5", "--json");
        Assert.Equal(ExitCode.Holds, code);
        var result = Valid(stdout, "props", code);
        Assert.Equal("7", result.GetProperty("seed").GetString());
        Assert.True(result.GetProperty("properties").GetArrayLength() > 0);
    }

    [Fact]
    public void Prove_induction_json_lists_every_obligation_as_unsat()
    {
        var (code, stdout, _) = CliRunner.Run("prove", "--induction", "--json");
        Assert.Equal(ExitCode.Holds, code);
        var result = Valid(stdout, "prove", code);
        Assert.Equal("induction", result.GetProperty("mode").GetString());
        Assert.All(result.GetProperty("obligations").EnumerateArray(), o => Assert.Equal("unsat", o.GetProperty("outcome").GetString()));
    }

    [Fact]
    public void Prove_induction_json_of_a_mutant_carries_the_counterexample_to_induction()
    {
        var (code, stdout, _) = CliRunner.Run("prove", "--induction", "--mutant", "no-confirm-clash-check", "--profile", "linux-6.12", "--json");
        Assert.Equal(ExitCode.Violated, code);
        var result = Valid(stdout, "prove", code);
        Assert.Contains(result.GetProperty("obligations").EnumerateArray(), o => o.GetProperty("counterexample").ValueKind == JsonValueKind.Array);
    }

    [Fact]
    public void Prove_bmc_json_of_the_seed_validates_with_its_joint_outcomes()
    {
        var (code, stdout, stderr) = CliRunner.Run("prove", "seed:race-unconstrained", "--bmc", "8", "--json");
        Assert.True(code == ExitCode.Holds, stderr);
        var result = Valid(stdout, "prove", code);
        Assert.Equal("bmc", result.GetProperty("mode").GetString());
        Assert.Equal(3, result.GetProperty("outcomes").GetProperty("joint").GetArrayLength());
    }

    [Fact]
    public void Json_errors_go_to_stderr_and_leave_stdout_empty()
    {
        var (code, stdout, stderr) = CliRunner.Run("check", "seed:no-such-spec", "--json");
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("no embedded spec", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_rejects_a_check_result_without_a_verdict_so_validation_can_fail()
    {
        var (_, stdout, _) = CliRunner.Run("check", "--json");
        var broken = stdout.Replace("\"verdict\": \"holds\",", string.Empty, StringComparison.Ordinal);
        Assert.NotEqual(stdout, broken);
        Assert.NotEmpty(JsonSchemaValidator.Errors(broken));
    }

    [Fact]
    public void Policy_json_of_a_corpus_policy_validates_against_the_envelope_and_policy_schema()
    {
        // seed-fixed-port: one fixed-port error and one capacity warning, so exit 1 and verdict violated.
        var (code, stdout, stderr) = CliRunner.Run("policy", CliRunner.Spec("specs/policies/seed-fixed-port/ruleset.iptables-save"), "--kernel", "6.18", "--json");
        Assert.True(code == ExitCode.Violated, stderr);
        JsonSchemaValidator.AssertValid(stdout);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("policy", root.GetProperty("command").GetString());
        Assert.Equal("natverify-policy/1", root.GetProperty("result").GetProperty("schema").GetString());
        Assert.Equal("violated", root.GetProperty("result").GetProperty("verdict").GetString());
        Assert.Contains(root.GetProperty("result").GetProperty("findings").EnumerateArray(), f => f.GetProperty("class").GetString() == "fixed-port");

        // The envelope's schema really applies policy.schema.json to the result: a retyped field fails.
        var broken = stdout.Replace("\"line\": 7", "\"line\": \"7\"", StringComparison.Ordinal);
        Assert.NotEqual(stdout, broken);
        Assert.NotEmpty(JsonSchemaValidator.Errors(broken));
    }

    /// <summary>Runs the scenario on the live kernel (root; the oracle's own namespaces, deleted afterwards).</summary>
    [Fact]
    [Trait("Category", "Long")]
    public void Oracle_json_of_the_client_first_seed_on_the_live_kernel_validates_and_agrees()
    {
        var (code, stdout, stderr) = CliRunner.Run("oracle", "seed:client-first", "--runs", "1", "--json");
        Assert.True(code == ExitCode.Holds, $"exit {code}: {stderr}");
        var result = Valid(stdout, "oracle", code);
        Assert.Equal(1, result.GetProperty("agreed").GetInt32());
    }
}

/// <summary>
/// <c>check</c> names the rule or policy behind a filtered outcome with its full location, in the report and in
/// <c>--json</c> (<c>joint[].deciders[]</c>), not only by its short name.
/// </summary>
public sealed class OutcomeDeciderTests
{
    private const string Spec = "specs/rules/filter-drop-before-confirm.yaml";

    private static int DropLine() =>
        Array.FindIndex(File.ReadAllLines(CliRunner.Spec(Spec)), l => l.Contains("-A OUTPUT -p tcp", StringComparison.Ordinal)) + 1;

    [Fact]
    public void Check_report_lists_the_rule_a_filtered_outcome_names_with_file_line_and_column()
    {
        var (code, stdout, _) = CliRunner.Run("check", CliRunner.Spec(Spec));
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("Rules named by the outcomes:", stdout, StringComparison.Ordinal);
        Assert.Contains($"  filter/OUTPUT#1  at {CliRunner.Spec(Spec)}:{DropLine()}:3: -A OUTPUT -p tcp", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_json_gives_each_outcome_its_deciding_rule_with_location_and_validates()
    {
        var (code, stdout, _) = CliRunner.Run("check", CliRunner.Spec(Spec), "--json");
        Assert.Equal(ExitCode.Holds, code);
        JsonSchemaValidator.AssertValid(stdout);
        var joint = Assert.Single(JsonDocument.Parse(stdout).RootElement.GetProperty("result").GetProperty("outcomes").GetProperty("joint").EnumerateArray());
        var deciders = joint.GetProperty("deciders").EnumerateArray().ToList();
        Assert.Equal(2, deciders.Count);
        Assert.Equal(JsonValueKind.Null, deciders[1].ValueKind);
        var rule = deciders[0];
        Assert.Equal("filter/OUTPUT#1", rule.GetProperty("name").GetString());
        Assert.Equal(CliRunner.Spec(Spec), rule.GetProperty("file").GetString());
        Assert.Equal(DropLine(), rule.GetProperty("line").GetInt32());
        Assert.Equal(3, rule.GetProperty("column").GetInt32());
        Assert.Contains("-j DROP", rule.GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
