using System.CommandLine;
using System.Text;
using NatVerify.Reporting;
using NatVerify.Specs;
using NatVerify.Traces;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify trace minimize|export</c>: work with saved traces. <c>minimize</c> delta-debugs a counterexample
/// (exit 1, like a violation); <c>export</c> renders a trace as text, Markdown, HTML, pcapng or a bash script that
/// replays it on a real kernel (exit 0).
/// </summary>
internal static class TraceCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("trace", "Minimise a saved trace or export it (text, Markdown, HTML, pcap, kernel script).");
        command.Subcommands.Add(Minimize(stdout, stderr));
        command.Subcommands.Add(Export(stdout, stderr));
        return command;
    }

    private static Command Minimize(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("trace") { Description = "A counterexample trace file." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the minimised trace here." };
        var specOut = new Option<string?>("--spec-out") { Description = "Write the minimal spec (YAML) here." };
        var command = new Command("minimize", "Delta-debug a counterexample: remove actors, ruleset lines, order constraints and steps while the same property stays violated, re-checking every candidate with the engine.")
        {
            file, output, specOut,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!TryRead(path, stderr, out var trace))
            {
                return (int)ExitCode.BadInput;
            }

            MinimizationResult result;
            try
            {
                result = TraceMinimizer.Minimize(trace!, path);
            }
            catch (Exception e) when (e is MinimizationException or TraceFormatException or SpecException)
            {
                stderr.WriteLine($"error: {path}: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            var replay = TraceReplayer.Replay(result.Trace, path);
            new CheckPrinter(stdout).PrintMinimized(result.Trace, replay);
            if (parse.GetValue(output) is { } o)
            {
                if (!TryWrite(o, TraceJson.WriteBytes(result.Trace), stderr))
                {
                    return (int)ExitCode.BadInput;
                }

                stdout.WriteLine();
                stdout.WriteLine($"Minimised trace written to {o}");
            }

            if (parse.GetValue(specOut) is { } s)
            {
                if (!TryWrite(s, Encoding.UTF8.GetBytes(result.SpecText), stderr))
                {
                    return (int)ExitCode.BadInput;
                }

                stdout.WriteLine($"Minimal spec written to {s}");
            }

            return (int)ExitCode.Violated;
        });
        return command;
    }

    private static Command Export(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("trace") { Description = "A trace file." };
        var text = new Option<bool>("--text") { Description = "Plain text: one block per step." };
        var markdown = new Option<bool>("--markdown") { Description = "Markdown." };
        var html = new Option<bool>("--html") { Description = "A self-contained HTML report with an SVG sequence diagram." };
        var pcap = new Option<bool>("--pcap") { Description = "A pcapng file of the packets the trace puts on the wire, before and after NAT (needs --output)." };
        var script = new Option<bool>("--kernel-script") { Description = "A bash script that rebuilds the scenario in private network namespaces and replays it on the running kernel (as root)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write here instead of standard output." };
        var command = new Command("export", "Render a saved trace as text, Markdown, HTML, pcap, or a script for a real kernel.")
        {
            file, text, markdown, html, pcap, script, output,
        };
        command.SetAction(parse =>
        {
            var formats = new[] { (text, "text"), (markdown, "markdown"), (html, "html"), (pcap, "pcap"), (script, "kernel-script") }
                .Where(f => parse.GetValue(f.Item1)).Select(f => f.Item2).ToList();
            if (formats.Count != 1)
            {
                stderr.WriteLine("error: choose exactly one of --text, --markdown, --html, --pcap, --kernel-script");
                return (int)ExitCode.BadInput;
            }

            var path = parse.GetValue(file)!;
            var outPath = parse.GetValue(output);
            if (formats[0] == "pcap" && outPath is null)
            {
                stderr.WriteLine("error: --pcap writes a binary file: give --output FILE");
                return (int)ExitCode.BadInput;
            }

            if (!TryReplay(path, new ReplayOptions(), stderr, out var replay))
            {
                return (int)ExitCode.BadInput;
            }

            var r = replay!;
            if (r.Divergence is { } d)
            {
                stderr.WriteLine($"error: {path} does not replay on this model: {d.Detail}");
                return (int)ExitCode.Inconclusive;
            }

            byte[] bytes;
            switch (formats[0])
            {
                case "pcap":
                    bytes = PcapWriter.Write(r.Semantics, r.Trace);
                    break;
                case "kernel-script":
                    try
                    {
                        bytes = Encoding.UTF8.GetBytes(KernelScript.Export(r));
                    }
                    catch (KernelScriptException e)
                    {
                        stderr.WriteLine($"error: {path}: {e.Message}");
                        return (int)ExitCode.BadInput;
                    }

                    break;
                default:
                    var view = new TraceViewBuilder(r.Semantics).Build(r.Trace, r.File);
                    var rendered = formats[0] switch
                    {
                        "markdown" => MarkdownRenderer.Render(view),
                        "html" => HtmlReport.Render(view),
                        _ => TraceRenderer.RenderDocument(view),
                    };
                    bytes = Encoding.UTF8.GetBytes(rendered);
                    break;
            }

            if (outPath is null)
            {
                stdout.Write(Encoding.UTF8.GetString(bytes));
                return (int)ExitCode.Holds;
            }

            return TryWrite(outPath, bytes, stderr) ? (int)ExitCode.Holds : (int)ExitCode.BadInput;
        });
        return command;
    }

    /// <summary>Reads a trace file; errors go to stderr.</summary>
    internal static bool TryRead(string path, TextWriter stderr, out TraceFile? trace)
    {
        try
        {
            trace = TraceJson.ReadFile(path);
            return true;
        }
        catch (TraceFormatException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            trace = null;
            return false;
        }
    }

    /// <summary>Reads and replays a trace file; errors (unreadable file, bad embedded spec) go to stderr.</summary>
    internal static bool TryReplay(string path, ReplayOptions options, TextWriter stderr, out ReplayResult? replay)
    {
        replay = null;
        if (!TryRead(path, stderr, out var trace))
        {
            return false;
        }

        try
        {
            replay = TraceReplayer.Replay(trace!, path, options);
            return true;
        }
        catch (TraceFormatException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return false;
        }
        catch (SpecException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return false;
        }
    }

    /// <summary>Writes a file; errors go to stderr.</summary>
    internal static bool TryWrite(string path, byte[] bytes, TextWriter stderr)
    {
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            {
                Directory.CreateDirectory(dir);
            }

            File.WriteAllBytes(path, bytes);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"error: cannot write {path}: {e.Message}");
            return false;
        }
    }
}
