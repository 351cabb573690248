using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>The trace commands end to end, in-process through <c>App.Run</c>.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Repo.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Check_saves_the_counterexample_it_prints_and_replay_reproduces_it_byte_identically()
    {
        var (code, output, _) = Cli.Run("check", "seed:race-unconstrained", "--mutant", "probe-sees-unconfirmed", "--trace-out", P("a.json"));
        Assert.Equal(1, code);
        Assert.Contains($"Trace written to {P("a.json")}", output, StringComparison.Ordinal);
        Cli.Run("check", "seed:race-unconstrained", "--mutant", "probe-sees-unconfirmed", "--trace-out", P("b.json"));
        Assert.Equal(File.ReadAllBytes(P("a.json")), File.ReadAllBytes(P("b.json")));

        var (replayCode, replayOut, _) = Cli.Run("replay", P("a.json"), "--trace-out", P("c.json"));
        Assert.Equal(1, replayCode);
        Assert.Contains("Result: REPRODUCED. null-binding-identity-when-free fails after step", replayOut, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(P("a.json")), File.ReadAllBytes(P("c.json")));
    }

    [Fact]
    public void Replay_on_the_real_kernel_model_diverges_with_exit_3()
    {
        Cli.Run("check", "seed:race-unconstrained", "--mutant", "probe-sees-unconfirmed", "--trace-out", P("t.json"));
        var (code, output, _) = Cli.Run("replay", P("t.json"), "--mutant", "none", "--quiet");
        Assert.Equal(3, code);
        Assert.StartsWith("Result: DIVERGED. step 6: expected client nat-setup \"POSTROUTING SRC null binding:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_of_a_witness_exits_0_and_a_bad_file_exits_2()
    {
        var (checkCode, checkOut, _) = Cli.Run("check", "seed:race-thief", "--witness-out", P("w"));
        Assert.Equal(0, checkCode);
        Assert.Contains("witness-1.json", checkOut, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("replay", Path.Combine(P("w"), "witness-1.json"), "--quiet").Code);

        File.WriteAllText(P("bad.json"), "{\"format\": \"natverify-trace\", \"version\": 1}");
        var (code, _, err) = Cli.Run("replay", P("bad.json"));
        Assert.Equal(2, code);
        Assert.Equal($"error: {P("bad.json")}: $: missing key \"kind\"\n", err);
        Assert.Equal(2, Cli.Run("replay", P("missing.json")).Code);
    }

    [Fact]
    public void Check_without_a_counterexample_writes_no_trace()
    {
        var (code, output, _) = Cli.Run("check", "seed:client-first", "--trace-out", P("none.json"));
        Assert.Equal(0, code);
        Assert.Contains("No counterexample", output, StringComparison.Ordinal);
        Assert.False(File.Exists(P("none.json")));
    }

    [Fact]
    public void Check_minimize_prints_and_saves_the_minimised_counterexample()
    {
        var (code, output, _) = Cli.Run("check", "seed:thief-first", "--mutant", "no-null-binding", "--property", "no-avoidable-drop", "--minimize", "--trace-out", P("m.json"));
        Assert.Equal(1, code);
        Assert.Contains("Minimised counterexample (", output, StringComparison.Ordinal);
        var saved = TraceJson.ReadFile(P("m.json"));
        Assert.NotNull(saved.Minimization);
        Assert.Equal(1, Cli.Run("replay", P("m.json"), "--quiet").Code);
    }

    [Fact]
    public void Trace_minimize_writes_the_trace_and_the_minimal_spec()
    {
        Cli.Run("check", "seed:client-first", "--mutant", "no-confirm-clash-check", "--trace-out", P("t.json"));
        var (code, output, _) = Cli.Run("trace", "minimize", P("t.json"), "-o", P("min.json"), "--spec-out", P("min.yaml"));
        Assert.Equal(1, code);
        Assert.Contains("Minimal spec written to", output, StringComparison.Ordinal);
        var (checkCode, checkOut, _) = Cli.Run("check", P("min.yaml"), "--mutant", "no-confirm-clash-check");
        Assert.Equal(1, checkCode);
        Assert.Contains("mutant no-confirm-clash-check is killed as expected", checkOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_export_renders_every_format_and_needs_exactly_one()
    {
        Cli.Run("check", "seed:race-thief", "--witness-out", P("w"));
        var trace = Path.Combine(P("w"), "witness-1.json");
        Assert.StartsWith("Witness of {client: rewritten:1024-65535, thief: nat}", Cli.Run("trace", "export", "--text", trace).Out, StringComparison.Ordinal);
        Assert.StartsWith("# Witness of", Cli.Run("trace", "export", "--markdown", trace).Out, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", Cli.Run("trace", "export", "--html", trace).Out, StringComparison.Ordinal);
        Assert.StartsWith("#!/usr/bin/env bash", Cli.Run("trace", "export", "--kernel-script", trace).Out, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("trace", "export", "--pcap", trace, "-o", P("t.pcapng")).Code);
        Assert.Equal(0x0A0D0D0Au, BitConverter.ToUInt32(File.ReadAllBytes(P("t.pcapng")), 0));
        Assert.Equal(2, Cli.Run("trace", "export", "--pcap", trace).Code);
        Assert.Equal(2, Cli.Run("trace", "export", "--html", "--text", trace).Code);
    }

    [Fact]
    public void Mutants_prints_which_property_kills_each_mutant_and_saves_each_trace()
    {
        var (code, output, _) = Cli.Run("mutants", "seed:race-unconstrained", "--trace-dir", P("m"));
        Assert.Equal(0, code);
        Assert.Contains("none (real kernel)", output, StringComparison.Ordinal);
        Assert.Contains("null-binding-identity-when-free: killed", output, StringComparison.Ordinal);
        Assert.Contains("linked-tuple-uniqueness: killed", output, StringComparison.Ordinal);
        Assert.Contains("none: every property holds", output, StringComparison.Ordinal);
        Assert.Equal(4, Directory.GetFiles(P("m")).Length);
        foreach (var file in Directory.GetFiles(P("m")))
        {
            Assert.Equal(1, Cli.Run("replay", file, "--quiet").Code);
        }

        var (_, clientFirst, _) = Cli.Run("mutants", "seed:client-first", "--trace-dir", P("c"));
        Assert.Contains("survived", clientFirst, StringComparison.Ordinal);
    }
}
