using System.Diagnostics;
using NatVerify.Specs.Input;

namespace NatVerify.Specs.Tests;

/// <summary>
/// Hostile specs (docs/security.md): a spec reads only the ruleset file it names, inside its own directory, and only
/// a regular file of bounded size; a spec embedded in a trace reads nothing; nesting too deep for the YAML parser is
/// refused before the parser sees it; jump loops, multi-line conntrack commands and octal-looking addresses are
/// located errors at load time.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nv-hostile-" + Guid.NewGuid().ToString("N")[..12]);

    public HostileInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Spec(string rulesetLine = "ruleset-file: rules.v4", string flow = "198.51.100.1:12345 -> 198.51.100.2:80", string extraActor = "", string iface = "eth0: 198.51.100.1") => $"""
        name: hostile
        description: |
          text
        interfaces:
          {iface}
        {rulesetLine}
        actors:
          - name: client
            flow: {flow}
        {extraActor}
        """;

    private const string Rules = "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -p tcp -j MASQUERADE\nCOMMIT\n";

    private string SpecPath(string? subdir = null)
    {
        var dir = subdir is null ? _dir : Path.Combine(_dir, subdir);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, "spec.yaml");
    }

    [Fact]
    public void A_ruleset_file_in_the_specs_directory_is_read()
    {
        File.WriteAllText(Path.Combine(_dir, "rules.v4"), Rules);
        var spec = SpecLoader.Parse(Spec(), SpecPath());
        Assert.True(spec.Model.Ruleset.NatTablePresent);
    }

    [Theory]
    [InlineData("ruleset-file: /etc/passwd")]
    [InlineData("ruleset-file: ../secret.v4")]
    [InlineData("ruleset-file: sub/../../secret.v4")]
    public void A_ruleset_file_outside_the_specs_directory_is_refused_without_echoing_its_content(string line)
    {
        File.WriteAllText(Path.Combine(_dir, "secret.v4"), "TOPSECRET-LINE\n");
        var ex = SpecAssert.Fails(() => SpecLoader.Parse(Spec(line), SpecPath("specs")), 6, 15, "must name a file in the spec's directory");
        Assert.DoesNotContain("TOPSECRET", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_out_of_the_specs_directory_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "secret.v4"), "TOPSECRET-LINE\n");
        var specPath = SpecPath("specs");
        File.CreateSymbolicLink(Path.Combine(_dir, "specs", "rules.v4"), Path.Combine(_dir, "secret.v4"));
        var ex = SpecAssert.Fails(() => SpecLoader.Parse(Spec(), specPath), 6, 15, "must name a file in the spec's directory");
        Assert.DoesNotContain("TOPSECRET", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ruleset_file_that_is_not_iptables_text_is_reported_without_its_content()
    {
        File.WriteAllText(Path.Combine(_dir, "rules.v4"), "TOPSECRET-LINE\n");
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(Spec(), SpecPath()));
        Assert.DoesNotContain("TOPSECRET", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_blocking()
    {
        var fifo = Path.Combine(_dir, "rules.v4");
        using (var mk = Process.Start("mkfifo", [fifo]))
        {
            mk.WaitForExit();
            Assert.Equal(0, mk.ExitCode);
        }

        // A blocking open would hang this test; the file type is checked first.
        var task = Task.Run(() => Assert.Throws<SpecException>(() => SpecLoader.Parse(Spec(), SpecPath())));
        var ex = await task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("a FIFO, not a regular file", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Devices_are_refused_even_where_any_file_is_allowed()
    {
        var anywhere = new SpecLoadOptions(SpecFileAccess.Anywhere);
        var ex = SpecAssert.Fails(() => SpecLoader.Parse(Spec("ruleset-file: /dev/zero"), SpecPath(), anywhere), 6, 15, "a character device, not a regular file");
        Assert.Contains("'/dev/zero'", ex.Detail, StringComparison.Ordinal);
        var spec = Assert.Throws<SpecException>(() => SpecLoader.LoadFile("/dev/zero"));
        Assert.Contains("a character device", spec.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ruleset_file_over_the_size_limit_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "rules.v4"), Rules + new string('#', 2000) + "\n");
        SpecAssert.Fails(() => SpecLoader.Parse(Spec(), SpecPath(), new SpecLoadOptions(MaxFileBytes: 1000)), 6, 15, "larger than the limit of 1000 bytes");
    }

    [Fact]
    public void A_spec_embedded_in_a_trace_may_not_name_any_file()
    {
        File.WriteAllText(Path.Combine(_dir, "rules.v4"), Rules);
        SpecAssert.Fails(() => SpecLoader.Parse(Spec(), SpecPath(), SpecLoadOptions.Embedded), 6, 15, "must be self-contained");
    }

    [Theory]
    [InlineData("[", 40_000)]
    [InlineData("{a: ", 20_000)]
    public void Nesting_too_deep_for_the_yaml_parser_is_refused_before_it_with_a_location(string unit, int count)
    {
        var text = "name: x\ndescription: |\n  d\nactors: " + string.Concat(Enumerable.Repeat(unit, count));
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(text, "deep.yaml"));
        Assert.Equal(4, ex.Line);
        Assert.Contains("nesting", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_nesting_by_compact_sequences_on_new_lines_is_refused()
    {
        var text = "actors:\n" + string.Concat(Enumerable.Repeat("- ", 40_000)) + "x\n";
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(text, "deep.yaml"));
        Assert.Equal(2, ex.Line);
        Assert.Equal(NestingLimit.MaxBlockIndent + 1, ex.Column);
    }

    [Fact]
    public void Brackets_inside_quoted_and_plain_scalars_do_not_count_as_nesting()
    {
        Assert.Null(NestingLimit.Check("a: '" + new string('[', 100) + "'\nb: \"" + new string('{', 100) + "\"\nc: x # " + new string('[', 100) + "\n", yaml: true));
        Assert.Null(NestingLimit.Check("{\"a\": \"" + new string('[', 100) + "\"}", yaml: false));
        Assert.NotNull(NestingLimit.Check("{\"a\": " + new string('[', 100) + "}", yaml: false));

        // A quote inside a plain scalar must not hide the next line's brackets from the scan.
        Assert.NotNull(NestingLimit.Check("a: it's\nb: " + new string('[', 100), yaml: true));
        Assert.NotNull(NestingLimit.Check("a: x['\nb: " + new string('[', 100), yaml: true));
    }

    [Fact]
    public void A_multi_line_conntrack_command_is_refused_at_load_time()
    {
        var actor = "  - name: insert\n    conntrack: \"-I -p tcp -s 198.51.100.1 -d 198.51.100.2\\n--sport 1 --dport 2\"";
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(Spec("", extraActor: actor), "nl.yaml"));
        Assert.Contains("control character U+000A in the conntrack command", ex.Detail, StringComparison.Ordinal);
        Assert.Equal(11, ex.Line);
    }

    [Fact]
    public void An_interface_name_with_a_control_character_is_refused()
    {
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(Spec("", iface: "\"e\\u001b0\": 198.51.100.1"), "if.yaml"));
        Assert.Contains("bad interface name", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Jumps_that_loop_between_user_chains_are_refused_at_load_time_at_the_closing_jump()
    {
        var ruleset = "ruleset: |\n  *nat\n  :POSTROUTING ACCEPT [0:0]\n  :A - [0:0]\n  :B - [0:0]\n  -A POSTROUTING -j A\n  -A A -p tcp -j B\n  -A B -g A\n  COMMIT";
        var ex = SpecAssert.Fails(() => SpecLoader.Parse(Spec(ruleset), "loop.yaml"), 13, 8, "jump loop between chains A -> B -> A");
        Assert.Contains("ELOOP", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_jumping_to_itself_is_a_loop_and_a_diamond_is_not()
    {
        var self = "ruleset: |\n  *nat\n  :POSTROUTING ACCEPT [0:0]\n  :A - [0:0]\n  -A A -j A\n  COMMIT";
        SpecAssert.Fails(() => SpecLoader.Parse(Spec(self), "self.yaml"), 10, 8, "jump loop between chains A -> A");
        var diamond = "ruleset: |\n  *nat\n  :POSTROUTING ACCEPT [0:0]\n  :A - [0:0]\n  :B - [0:0]\n  :C - [0:0]\n  -A POSTROUTING -j A\n  -A POSTROUTING -j B\n  -A A -j C\n  -A B -j C\n  COMMIT";
        Assert.NotNull(SpecLoader.Parse(Spec(diamond), "diamond.yaml"));
    }

    [Theory]
    [InlineData("flow", "198.051.100.1:12345 -> 198.51.100.2:80", 9)]
    [InlineData("flow", "198.51.100.1:12345 -> 198.51.100.002:80", 9)]
    [InlineData("interface", "eth0: 198.51.100.01", 5)]
    [InlineData("conntrack", "-I -p tcp -s 198.51.100.1 -d 010.0.0.1 --sport 1 --dport 2", 11)]
    [InlineData("ruleset", "-A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.010", 9)]
    [InlineData("ruleset", "-A POSTROUTING -s 0198.51.100.1 -j MASQUERADE", 9)]
    public void Dotted_quads_with_leading_zeros_are_refused_as_octal_ambiguous_with_a_location(string where, string text, int line)
    {
        var spec = where switch
        {
            "flow" => Spec("", flow: text),
            "interface" => Spec("", iface: text),
            "conntrack" => Spec("", extraActor: "  - name: insert\n    conntrack: " + text),
            _ => Spec("ruleset: |\n  *nat\n  :POSTROUTING ACCEPT [0:0]\n  " + text + "\n  COMMIT"),
        };
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse(spec, "zeros.yaml"));
        Assert.True(ex.Line == line, $"line {ex.Line}, expected {line}: {ex.Detail}");
        Assert.True(ex.Detail.Contains("leading zero", StringComparison.Ordinal) || where == "ruleset" && ex.Detail.Contains("bad address", StringComparison.Ordinal), ex.Detail);
    }
}
