using Xunit;

namespace NatVerify.Cli.Tests;

/// <summary>The <c>check</c> command end to end, in-process: verdicts, exit codes, errors.</summary>
public class CheckCommandTests
{
    private const string MinimalSpec = """
        name: minimal
        description: one flow, nothing to clash with
        actors:
          - name: client
            flow: 198.51.100.1:12345 -> 198.51.100.2:80
        expect:
          verdict: holds
          outcomes:
            client: [kept]
        """;

    [Fact]
    public void Check_without_arguments_checks_the_embedded_seed_race_and_holds()
    {
        var (code, output, _) = CliRunner.Run("check");
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("seed-race-unconstrained", output);
        Assert.Contains("Verdict: HOLDS", output);
        Assert.Contains("client: source port rewritten (1024-65535) on some paths", output);
        Assert.Contains("Expectations of the spec: all met.", output);
    }

    [Fact]
    public void Check_of_thief_first_reports_the_rewrite_on_every_path()
    {
        var (code, output, _) = CliRunner.Run("check", CliRunner.Spec("specs/seed/thief-first.yaml"));
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("client: source port rewritten (1024-65535) on every path; dropped on none", output);
    }

    [Fact]
    public void Check_with_a_mutant_exits_1_and_prints_the_shortest_trace_with_kernel_functions()
    {
        var (code, output, _) = CliRunner.Run("check", CliRunner.Spec("specs/seed/client-first.yaml"), "--mutant", "no-confirm-clash-check");
        Assert.Equal(ExitCode.Violated, code);
        Assert.Contains("Verdict: VIOLATED. linked-tuple-uniqueness", output);
        Assert.Contains("Shortest counterexample", output);
        Assert.Contains("__nf_conntrack_confirm", output);
        Assert.Contains("conntrack -L:", output);
    }

    /// <summary>
    /// Over specs/scale/two-seed-races.yaml: <c>--reduce por</c> stores fewer states than the unreduced search and
    /// prints the same verdict and the same outcome table, and the verdict says the state space was reduced.
    /// </summary>
    [Fact]
    public void Check_with_reduce_por_stores_fewer_states_and_reports_the_same_outcomes()
    {
        var spec = CliRunner.Spec("specs/scale/two-seed-races.yaml");
        var (fullCode, full, _) = CliRunner.Run("check", spec);
        var (porCode, por, _) = CliRunner.Run("check", spec, "--reduce", "por");
        Assert.Equal(ExitCode.Holds, fullCode);
        Assert.Equal(fullCode, porCode);
        Assert.Contains("partial-order-reduced state space", por);
        Assert.DoesNotContain("partial-order-reduced", full);
        Assert.True(StatesOf(por) < StatesOf(full), $"reduced {StatesOf(por)} vs full {StatesOf(full)}");
        Assert.Equal(OutcomeLines(full), OutcomeLines(por));

        static long StatesOf(string output) => long.Parse(
            System.Text.RegularExpressions.Regex.Match(output, @"Statistics: ([\d,]+) states").Groups[1].Value.Replace(",", string.Empty),
            System.Globalization.CultureInfo.InvariantCulture);

        // The per-actor summary lines ("client: ... on some paths (n of m)") without their counts of terminal states,
        // which are counts of the reduced graph.
        static string[] OutcomeLines(string output) => [.. output.Split('\n')
            .Where(l => l.Contains(" paths", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), @" \([\d,]+ of [\d,]+( joint outcomes)?\)", string.Empty))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Over specs/k8s/dns-same-socket-two-endpoints.yaml (two identical queries of one socket): <c>--reduce sym</c>
    /// stores fewer states, names the interchangeable actors in the verdict and prints the same outcome table.
    /// </summary>
    [Fact]
    public void Check_with_reduce_sym_names_the_interchangeable_actors_and_reports_the_same_outcomes()
    {
        var spec = CliRunner.Spec("specs/k8s/dns-same-socket-two-endpoints.yaml");
        var (fullCode, full, _) = CliRunner.Run("check", spec);
        var (symCode, sym, _) = CliRunner.Run("check", spec, "--reduce", "sym");
        Assert.Equal(fullCode, symCode);
        Assert.Contains("symmetry-reduced (interchangeable actors: ", sym);
        Assert.DoesNotContain("symmetry-reduced", full);
        Assert.True(StatesOf(sym) < StatesOf(full), $"reduced {StatesOf(sym)} vs full {StatesOf(full)}");
        Assert.Equal(OutcomeNames(full), OutcomeNames(sym));

        static long StatesOf(string output) => long.Parse(
            System.Text.RegularExpressions.Regex.Match(output, @"Statistics: ([\d,]+) states").Groups[1].Value.Replace(",", string.Empty),
            System.Globalization.CultureInfo.InvariantCulture);

        // Per actor, the outcomes it can have without their counts (of the reduced graph) and in a fixed order (the
        // line lists them in first-reached order, which the reduction changes).
        static string[] OutcomeNames(string output) => [.. output.Split('\n')
            .Where(l => l.Contains(" paths", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), @" \([\d,]+ of [\d,]+( joint outcomes)?\)", string.Empty))
            .Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)] + ": " + string.Join("; ", l[(l.IndexOf(':', StringComparison.Ordinal) + 2)..].Split("; ").Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Check_rejects_an_unknown_reduction_with_exit_2()
    {
        var (code, _, error) = CliRunner.Run("check", "seed:race-unconstrained", "--reduce", "symmetry");
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains("--reduce must be none, por, sym, por+sym, por+sleep or por+sleep+sym", error);
    }

    /// <summary>
    /// Over specs/scale/two-seed-races.yaml: <c>--reduce por+sleep</c> prints the verdict and outcome table of
    /// <c>--reduce por</c> with fewer transitions, and the statistics line says how many steps sleep sets skipped.
    /// </summary>
    [Fact]
    public void Check_with_reduce_por_sleep_reports_the_outcomes_of_por_with_fewer_transitions()
    {
        var spec = CliRunner.Spec("specs/scale/two-seed-races.yaml");
        var (porCode, por, _) = CliRunner.Run("check", spec, "--reduce", "por");
        var (sleepCode, sleep, _) = CliRunner.Run("check", spec, "--reduce", "por+sleep");
        Assert.Equal(ExitCode.Holds, porCode);
        Assert.Equal(porCode, sleepCode);
        Assert.Matches(@"sleep sets: [\d,]+ steps not taken", sleep);
        Assert.DoesNotContain("sleep sets", por);
        Assert.True(TransitionsOf(sleep) < TransitionsOf(por), $"{TransitionsOf(sleep)} vs {TransitionsOf(por)}");
        Assert.Equal(Outcomes(por), Outcomes(sleep));

        static long TransitionsOf(string output) => long.Parse(
            System.Text.RegularExpressions.Regex.Match(output, @"states, ([\d,]+) transitions").Groups[1].Value.Replace(",", string.Empty),
            System.Globalization.CultureInfo.InvariantCulture);

        static string[] Outcomes(string output) => [.. output.Split('\n')
            .Where(l => l.Contains(" paths", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), @" \([\d,]+ of [\d,]+( joint outcomes)?\)", string.Empty))
            .Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Check_with_a_state_bound_is_inconclusive_and_names_the_bound()
    {
        var (code, output, _) = CliRunner.Run("check", "seed:race-unconstrained", "--max-states", "5");
        Assert.Equal(ExitCode.Inconclusive, code);
        Assert.Contains("INCONCLUSIVE", output);
        Assert.Contains("--max-states", output);
    }

    [Fact]
    public void Check_with_a_depth_bound_that_cuts_the_space_is_inconclusive()
    {
        var (code, output, _) = CliRunner.Run("check", "seed:race-unconstrained", "--max-depth", "3");
        Assert.Equal(ExitCode.Inconclusive, code);
        Assert.Contains("--max-depth", output);
    }

    [Fact]
    public void Check_of_a_spec_file_written_by_a_user_holds()
    {
        var path = CliRunner.TempSpec(MinimalSpec);
        var (code, output, _) = CliRunner.Run("check", path);
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("client: tuple kept on every path; dropped on none", output);
    }

    [Fact]
    public void Unmet_expectation_exits_1_and_says_which()
    {
        var path = CliRunner.TempSpec(MinimalSpec.Replace("client: [kept]", "client: [dropped]", StringComparison.Ordinal));
        var (code, output, _) = CliRunner.Run("check", path);
        Assert.Equal(ExitCode.Violated, code);
        Assert.Contains("Expectations of the spec NOT met", output);
        Assert.Contains("client: expected outcomes [dropped], reached [kept]", output);
    }

    [Fact]
    public void Bad_spec_gives_one_located_error_and_exit_2_without_a_stack_trace()
    {
        var path = CliRunner.TempSpec(MinimalSpec.Replace("12345 -> ", "99999 -> ", StringComparison.Ordinal));
        var (code, output, err) = CliRunner.Run("check", path);
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith($"error: {path}:5:", err);
        Assert.DoesNotContain("   at ", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Missing_spec_file_is_bad_input()
    {
        var (code, _, err) = CliRunner.Run("check", "/nonexistent/spec.yaml");
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains("/nonexistent/spec.yaml", err);
    }

    [Theory]
    [InlineData("--profile", "linux-2.6", "unknown kernel profile")]
    [InlineData("--mutant", "no-such-mutant", "unknown mutant")]
    [InlineData("--search", "random", "--search must be bfs or dfs")]
    [InlineData("--property", "uniqueness", "unknown property")]
    [InlineData("--max-states", "0", "--max-states must be at least 1")]
    [InlineData("--timeout", "-1", "--timeout must be a positive number")]
    public void Bad_option_values_are_bad_input_with_a_clear_message(string option, string value, string message)
    {
        var (code, _, err) = CliRunner.Run("check", "seed:thief-first", option, value);
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Unknown_option_is_bad_input()
    {
        var (code, _, err) = CliRunner.Run("check", "--frobnicate");
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains("--frobnicate", err);
    }

    [Fact]
    public void Unknown_embedded_spec_lists_the_embedded_ones()
    {
        var (code, _, err) = CliRunner.Run("check", "seed:nope");
        Assert.Equal(ExitCode.BadInput, code);
        Assert.Contains("seed:thief-first", err);
    }

    [Fact]
    public void Profile_option_overrides_the_spec_profile()
    {
        var (code, output, _) = CliRunner.Run("check", "seed:race-unconstrained", "--profile", "linux-4.19");
        Assert.Equal(ExitCode.Holds, code);
        Assert.Contains("profile: linux-4.19", output);
    }

    [Fact]
    public void Witnesses_option_prints_a_trace_for_every_joint_outcome()
    {
        var (_, output, _) = CliRunner.Run("check", "seed:race-unconstrained", "--witnesses");
        Assert.Equal(3, output.Split("Shortest witness").Length - 1);
    }

    [Fact]
    public void Specs_command_lists_the_embedded_seed_specs()
    {
        var (code, output, _) = CliRunner.Run("specs");
        Assert.Equal(ExitCode.Holds, code);
        foreach (var name in new[] { "seed:thief-first", "seed:client-first", "seed:race-thief", "seed:race-ctnetlink", "seed:race-unconstrained" })
        {
            Assert.Contains(name, output);
        }
    }
}
