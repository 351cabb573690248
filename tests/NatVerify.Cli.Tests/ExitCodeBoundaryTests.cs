using Xunit;

namespace NatVerify.Cli.Tests;

/// <summary>
/// Exit codes mean what they say (docs/cli.md): whatever escapes a command is an internal error (exit 4, one short
/// line, the stack only with --debug), never System.CommandLine's default "Unhandled exception" with exit 1
/// ("violated"); hostile specs that used to crash or fail during the search are bad input (exit 2, located).
/// </summary>
public class ExitCodeBoundaryTests
{
    /// <summary>A writer that fails the way a bug inside a command would.</summary>
    private sealed class ExplodingWriter : StringWriter
    {
        public override void Write(char value) => throw new InvalidOperationException("boom");

        public override void Write(string? value) => throw new InvalidOperationException("boom");

        public override void WriteLine(string? value) => throw new InvalidOperationException("boom");
    }

    [Fact]
    public void An_exception_escaping_a_command_exits_4_with_one_short_line_and_no_stack_trace()
    {
        var stderr = new StringWriter();
        var code = App.Run(["check", "seed:thief-first"], new ExplodingWriter(), stderr);
        Assert.Equal(ExitCode.InternalError, code);
        Assert.Contains("internal error: InvalidOperationException: boom", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("--debug", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void With_debug_the_internal_error_carries_its_stack_trace()
    {
        var stderr = new StringWriter();
        var code = App.Run(["--debug", "check", "seed:thief-first"], new ExplodingWriter(), stderr);
        Assert.Equal(ExitCode.InternalError, code);
        Assert.Contains("   at ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_memory_is_reported_as_such_with_exit_4()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCode.InternalError, App.Internal(new InvalidOperationException("Z3 error: out of memory"), debug: false, stderr));
        Assert.StartsWith("error: out of memory", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_nested_40000_levels_deep_is_bad_input_not_a_crash()
    {
        var path = CliRunner.TempSpec("name: deep\ndescription: |\n  d\nactors: " + new string('[', 40_000));
        try
        {
            var (code, _, err) = CliRunner.Run("check", path);
            Assert.Equal(ExitCode.BadInput, code);
            Assert.Contains(":4:", err, StringComparison.Ordinal);
            Assert.Contains("nesting deeper than 64", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_jump_loop_between_user_chains_is_bad_input_at_load_time()
    {
        var path = CliRunner.TempSpec("""
            name: loop
            description: |
              d
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              :A - [0:0]
              :B - [0:0]
              -A POSTROUTING -j A
              -A A -j B
              -A B -j A
              COMMIT
            actors:
              - name: client
                flow: 198.51.100.1:12345 -> 198.51.100.2:80
            """);
        try
        {
            var (code, _, err) = CliRunner.Run("check", path);
            Assert.Equal(ExitCode.BadInput, code);
            Assert.Contains(":11:", err, StringComparison.Ordinal);
            Assert.Contains("jump loop between chains", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
