using NatVerify.Reporting;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>
/// A kernel script is run as root, so no text a trace or spec carries may become a command: every free-text field of
/// a trace (spec name, source, hash, property, message, outcomes, the final table) and every name a spec may carry
/// (spec name, interface names, ruleset text) is filled with each payload of a hostile corpus (newlines, quotes,
/// <c>$()</c>, backticks, NUL, escape sequences, very long text). Each payload, if it ever ran, creates the file
/// <c>PWNED</c> in the script's working directory. The script must pass <c>bash -n</c>, keep every comment on one
/// line, and (as root, in namespaces named nvh-*) run without creating that file.
/// </summary>
public class HostileKernelScriptTests
{
    /// <summary>Payloads; each would create ./PWNED if a shell ever executed it.</summary>
    public static readonly string[] Corpus =
    [
        "x\n>PWNED\n#",
        "x\r\n>PWNED",
        "x'$(>PWNED)'",
        "x\"$(>PWNED)\"",
        "x`>PWNED`",
        "x\u2028>PWNED",
        "x\u0085>PWNED",
        "a\0b\n>PWNED",
        "\u001b[31mred\u001b]0;title\u0007",
        "x\nNV_RULESET\n>PWNED\n",
        "x\\\n>PWNED",
        new string('A', 200_000) + "\n>PWNED",
    ];

    private static TraceFile Benign() => Repo.Witness("specs/seed/race-ctnetlink.yaml").File;

    /// <summary>Every way a payload can enter the trace file's own free-text fields.</summary>
    private static IEnumerable<(string Field, TraceFile File)> TraceFields(TraceFile b, string p)
    {
        yield return ("spec.name", b with { Spec = b.Spec with { Name = p } });
        yield return ("spec.source", b with { Spec = b.Spec with { Source = p } });
        yield return ("spec.sha256", b with { Spec = b.Spec with { Sha256 = p } });
        yield return ("property", b with { Property = p, Message = "m" });
        yield return ("message", b with { Property = "p", Message = p });
        yield return ("outcomes", b with { Outcomes = [.. b.Outcomes.Select(o => new ActorOutcome(p, p))] });
        yield return ("finalTable", b with { FinalTable = [.. b.FinalTable.Select(e => new FinalEntry(p, p, p, [p, p]))] });
    }

    /// <summary>Every way a payload can enter through the embedded spec's text (names the spec reader accepts).</summary>
    private static IEnumerable<(string Field, string SpecText)> SpecFields(string text, string p)
    {
        var oneLine = p.Replace("\n", " ", StringComparison.Ordinal);
        yield return ("spec name:", text.Replace("name: seed-race-ctnetlink", "name: " + Yaml(p), StringComparison.Ordinal));
        yield return ("description", text.Replace("description: |", "description: " + Yaml(p) + "\nx-unused: |", StringComparison.Ordinal));
        yield return ("ruleset comment", text.Replace("  COMMIT\n  *nat", "  # " + oneLine + "\n  COMMIT\n  *nat", StringComparison.Ordinal));
        yield return ("interface name", text.Replace("veth0:", Yaml(p.Length > 15 ? p[..15] : p) + ":", StringComparison.Ordinal));
    }

    private static string Yaml(string s) =>
        "\"" + string.Concat(s.Select(c => c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            _ when c < 0x20 || c is '\u0085' or '\u2028' or '\u2029' || c == 0x7f => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        })) + "\"";

    private static IEnumerable<(string What, string? Script)> Scripts()
    {
        var benign = Benign();
        foreach (var p in Corpus)
        {
            foreach (var (field, file) in TraceFields(benign, p))
            {
                yield return ($"{field} <- {Show(p)}", Export(file));
            }

            foreach (var (field, specText) in SpecFields(benign.Spec.Text, p))
            {
                var file = benign with { Spec = benign.Spec with { Text = specText, Sha256 = SpecEmbedding.Sha256(specText) } };
                yield return ($"{field} <- {Show(p)}", Export(file));
            }
        }
    }

    /// <summary>The script, or null when the trace or spec is refused (a located error is as safe as quoting).</summary>
    private static string? Export(TraceFile file)
    {
        try
        {
            return KernelScript.Export(TraceReplayer.Replay(file, "hostile.json"));
        }
        catch (Exception e) when (e is TraceFormatException or Specs.SpecException or KernelScriptException)
        {
            return null;
        }
    }

    private static string Show(string p) => KernelScript.OneLine(p.Length > 40 ? p[..40] : p);

    [Fact]
    public void Hostile_text_in_any_trace_or_spec_field_stays_inside_its_comment_or_quoted_word()
    {
        var exported = 0;
        foreach (var (what, script) in Scripts())
        {
            if (script is null)
            {
                continue;
            }

            exported++;
            foreach (var line in script.Split('\n'))
            {
                Assert.False(line.Contains('\0', StringComparison.Ordinal), $"{what}: NUL in the script");
                Assert.False(line.Any(c => char.IsControl(c) && c != '\t') || line.Contains('\u2028', StringComparison.Ordinal), $"{what}: control character in line {KernelScript.OneLine(line)}");

                // The payload's command may only appear inside a comment or a single-quoted word.
                if (line.Contains(">PWNED", StringComparison.Ordinal))
                {
                    Assert.True(line.StartsWith('#') || line.Contains('\'', StringComparison.Ordinal), $"{what}: unquoted payload on line: {KernelScript.OneLine(line)}");
                }
            }
        }

        Assert.True(exported >= Corpus.Length * 4, $"only {exported} hostile traces were exported; the corpus no longer reaches the generator");
    }

    [ToolFact(false, "bash")]
    public void Every_script_generated_from_the_hostile_corpus_passes_bash_syntax_check_and_runs_no_payload()
    {
        var dir = Repo.TempDir();
        try
        {
            var n = 0;
            foreach (var (what, script) in Scripts())
            {
                if (script is null)
                {
                    continue;
                }

                var path = Path.Combine(dir, $"s{n++}.sh");
                File.WriteAllText(path, script);
                var (code, _, err) = Tools.Run("bash", ["-n", path], TimeSpan.FromSeconds(30));
                Assert.True(code == 0, $"{what}: bash -n failed: {err}");

                // Up to the root check the script runs no command of its own; as a non-root user it stops there (exit 2).
                // A payload in a comment or word before that point would already have run.
                var (_, _, _) = Tools.Run("bash", ["-c", $"cd '{dir}' && exec setpriv --reuid=65534 --regid=65534 --clear-groups bash '{path}' </dev/null"], TimeSpan.FromSeconds(30));
                Assert.False(File.Exists(Path.Combine(dir, "PWNED")), $"{what}: the payload ran");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [ToolFact(true, "bash", "ip", "iptables-restore", "conntrack", "socat", "timeout")]
    public void A_benign_and_a_hostile_trace_run_as_root_in_private_namespaces_and_no_payload_runs()
    {
        var dir = Repo.TempDir();
        var prefix = "nvh-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var benign = Benign();
            var p = "x\n>PWNED\n'$(>PWNED)'`>PWNED`\"$(>PWNED)\"";
            var hostileSpec = benign.Spec.Text
                .Replace("veth0:", "\"v'$(>PWNED)\":", StringComparison.Ordinal);
            var hostile = benign with
            {
                Spec = benign.Spec with { Name = p, Source = p, Sha256 = SpecEmbedding.Sha256(hostileSpec), Text = hostileSpec },
                Property = "linked-tuple-uniqueness",
                Message = p,
                FinalTable = [.. benign.FinalTable.Select(e => new FinalEntry(p, p, p, [p]))],
            };
            foreach (var (name, file) in new[] { ("benign", benign), ("hostile", hostile) })
            {
                var path = Path.Combine(dir, $"{name}.sh");
                File.WriteAllText(path, KernelScript.Export(TraceReplayer.Replay(file, $"{name}.json")));
                var (code, output, err) = Tools.Run(
                    "bash", ["-c", $"cd '{dir}' && exec bash '{path}' </dev/null"], TimeSpan.FromSeconds(90),
                    new Dictionary<string, string> { ["NATVERIFY"] = string.Empty, ["NV_PREFIX"] = prefix });
                Assert.False(File.Exists(Path.Combine(dir, "PWNED")), $"{name}: the payload ran\n{output}\n{err}");
                Assert.True(code == 0, $"{name}: script exited {code}\n{output}\n{err}");
                Assert.Contains("RESULT: the kernel agrees with the model", output, StringComparison.Ordinal);
            }

            var leftovers = Tools.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).Out;
            Assert.DoesNotContain(prefix, leftovers, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
