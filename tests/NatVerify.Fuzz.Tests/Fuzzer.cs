using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using NatVerify.Policy.Inputs;
using NatVerify.Specs;
using NatVerify.Specs.Nft;
using NatVerify.Traces;

namespace NatVerify.Fuzz.Tests;

/// <summary>The parsers the fuzzer drives; each takes untrusted text.</summary>
public enum FuzzTarget
{
    /// <summary>A scenario spec (YAML, with its inline ruleset and conntrack arguments): <see cref="SpecLoader.Parse(string, string)"/>.</summary>
    Spec,

    /// <summary>An iptables-save ruleset: <see cref="RulesetReader.Parse"/>.</summary>
    IptablesSave,

    /// <summary>An nft ruleset in text form.</summary>
    NftText,

    /// <summary>An nft ruleset as <c>nft -j list ruleset</c> JSON.</summary>
    NftJson,

    /// <summary>A trace file and the spec embedded in it: <see cref="TraceJson.Read"/>, <see cref="SpecEmbedding.Load"/>.</summary>
    Trace,

    /// <summary><c>ip -j addr show</c> output: <see cref="IpAddrReader.Parse"/>.</summary>
    IpAddr,

    /// <summary><c>ss -H -tuanp</c> output: <see cref="SsReader.Parse"/>.</summary>
    Ss,

    /// <summary>A policy host context file: <see cref="ContextReader.Parse"/>.</summary>
    Context,

    /// <summary>The arguments of a spec actor's <c>conntrack:</c> command: <see cref="ConntrackCommandParser.Parse"/>.</summary>
    Conntrack,
}

/// <summary>One input that ended in something other than a parsed result or a located input error.</summary>
/// <param name="Target">The parser.</param>
/// <param name="Index">The input's number in the run (with the seed, enough to regenerate it).</param>
/// <param name="Input">The input text.</param>
/// <param name="Failure">The exception type and message, or "hang".</param>
public sealed record FuzzFinding(FuzzTarget Target, int Index, string Input, string Failure);

/// <summary>The result of a fuzzing run.</summary>
/// <param name="Seed">The seed every mutation came from.</param>
/// <param name="Inputs">Inputs run.</param>
/// <param name="Parsed">Inputs that parsed.</param>
/// <param name="Rejected">Inputs refused with a located error.</param>
/// <param name="Findings">Everything else: crashes of other exception types, and hangs.</param>
public sealed record FuzzReport(ulong Seed, int Inputs, int Parsed, int Rejected, IReadOnlyList<FuzzFinding> Findings);

/// <summary>
/// A deterministic mutation fuzzer over every parser of untrusted input. From a seed corpus (the repository's specs,
/// rulesets, policy inputs and a recorded trace) it derives each input by one to four mutations (byte flips, inserted
/// tokens that matter to the formats, deleted, duplicated or spliced ranges, truncation) drawn from a SplitMix64
/// stream of the printed seed, so a seed and a count reproduce a run exactly. The only acceptable outcomes are a
/// parsed result and a located input error (<see cref="SpecException"/>, or <see cref="TraceFormatException"/> for a
/// trace); any other exception and any input that runs longer than the per-input bound is a finding.
/// </summary>
public sealed class Fuzzer
{
    private static readonly NftParseOptions NftOverApproximating = new() { OverApproximate = true };

    private static readonly string[] Tokens =
    [
        "\n", "\r\n", "\t", " ", "\0", "\u2028", "\uFEFF", "[", "]", "{", "}", ":", ": ", "- ", "-", "\"", "'", ",", "#", "|", ">", "&a", "*a", "!!binary", "~",
        "0", "-1", "0x", "0xffffffff", "65535", "65536", "4294967296", "99999999999999999999", "1e309", "NaN", "1.5", "00", "0777",
        "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "198.051.100.002", "::1", "/33", "/0", "-", "--",
        "*nat", "*filter", "COMMIT", ":POSTROUTING ACCEPT [0:0]", "-A ", "-j ", "SNAT", "DNAT", "MASQUERADE", "--to-source ", "--to-ports ", "-m ", "! ",
        "table ip nat {", "chain ", "type nat hook postrouting priority 100;", "snat to ", "jump ", "goto ", "map ", "vmap ", "counter ", "@", "$",
        "\"nftables\"", "\"rule\"", "\"expr\"", "\"match\"", "\"left\"", "\"right\"", "null", "true", "[]", "{}",
        "ruleset-file: x", "actors:", "flow: ", " -> ", "conntrack: -I", "mark: ", "after: ", "expect:", "symbolic:",
        "tcp", "udp", "icmp", "-I ", "-D ", "--reply-src ", "--reply-port-dst ", "--state ", "SYN_SENT", "-u ", "SEEN_REPLY,ASSURED", "--zone ", "LISTEN", "ESTAB", "users:((", "%", "*:*", "[::]:22",
    ];

    private readonly IReadOnlyList<(FuzzTarget Target, string Text)> _corpus;
    private readonly TimeSpan _perInput;
    private ulong _state;

    /// <summary>Creates a fuzzer over <paramref name="corpus"/> with a per-input time bound.</summary>
    public Fuzzer(IReadOnlyList<(FuzzTarget Target, string Text)> corpus, ulong seed, TimeSpan perInput)
    {
        if (corpus.Count == 0)
        {
            throw new ArgumentException("the seed corpus is empty", nameof(corpus));
        }

        _corpus = corpus;
        _state = seed;
        _perInput = perInput;
        Seed = seed;
    }

    /// <summary>The seed of the run.</summary>
    public ulong Seed { get; }

    /// <summary>Runs <paramref name="count"/> mutated inputs; stops early after a hang (the thread cannot be stopped).</summary>
    public FuzzReport Run(int count, Action<string>? log = null)
    {
        int parsed = 0, rejected = 0, run = 0;
        var findings = new List<FuzzFinding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var (target, text) = Next();
            run++;
            var outcome = Execute(target, text, _perInput);
            switch (outcome)
            {
                case null:
                    parsed++;
                    break;
                case "rejected":
                    rejected++;
                    break;
                default:
                    // One finding per failure signature (type and throwing method), so a bug is reported once.
                    if (seen.Add(target + "|" + outcome.Split('\n')[0]))
                    {
                        findings.Add(new FuzzFinding(target, i, text, outcome));
                        log?.Invoke($"finding #{findings.Count} at input {i} ({target}): {outcome.Split('\n')[0]}");
                    }

                    if (outcome.StartsWith("hang", StringComparison.Ordinal))
                    {
                        return new FuzzReport(Seed, run, parsed, rejected, findings);
                    }

                    break;
            }
        }

        return new FuzzReport(Seed, run, parsed, rejected, findings);
    }

    /// <summary>
    /// Parses one input with <paramref name="target"/>'s parser on a worker thread: null when it parsed, "rejected"
    /// for a located input error, otherwise a description of the failure ("hang ..." past the bound).
    /// </summary>
    public static string? Execute(FuzzTarget target, string text, TimeSpan bound)
    {
        string? result = null;
        var worker = new Thread(() => result = Parse(target, text), 16 << 20) { IsBackground = true, Name = "fuzz-input" };
        worker.Start();
        return worker.Join(bound) ? result : $"hang: still running after {bound.TotalSeconds:0.#} s";
    }

    /// <summary>Parses on the current thread; see <see cref="Execute"/>.</summary>
    public static string? Parse(FuzzTarget target, string text)
    {
        var assumptions = new List<string>();
        try
        {
            switch (target)
            {
                case FuzzTarget.Spec:
                    SpecLoader.Parse(text, "fuzz.yaml", Specs.Input.SpecLoadOptions.Embedded);
                    break;
                case FuzzTarget.IptablesSave:
                    RulesetReader.Parse(text, "fuzz.rules", RulesetFormat.IptablesSave);
                    break;
                // With over-approximation on, an unmodelled construct (fw4's SYN-flood `limit`, in the fixture seeds) is
                // lowered instead of ending the parse, so mutations reach the rest of the ruleset's lowering too.
                case FuzzTarget.NftText:
                    RulesetReader.Parse(text, "fuzz.nft", RulesetFormat.Nft, NftOverApproximating);
                    break;
                case FuzzTarget.NftJson:
                    RulesetReader.Parse(text, "fuzz.nft.json", RulesetFormat.NftJson, NftOverApproximating);
                    break;
                case FuzzTarget.Trace:
                    var trace = TraceJson.Read(text, "fuzz.trace.json");
                    SpecEmbedding.Load(trace.Spec, "fuzz.trace.json");
                    break;
                case FuzzTarget.IpAddr:
                    IpAddrReader.Parse(text, "ip-addr.json", assumptions);
                    break;
                case FuzzTarget.Ss:
                    SsReader.Parse(text, "ss.txt", assumptions);
                    break;
                case FuzzTarget.Context:
                    ContextReader.Parse(text, "context.yaml");
                    break;
                case FuzzTarget.Conntrack:
                    ConntrackCommandParser.Parse("fuzz", text, "fuzz.yaml", 1, 1);
                    break;
            }

            return null;
        }
        catch (SpecException)
        {
            return "rejected";
        }
        catch (TraceFormatException) when (target == FuzzTarget.Trace)
        {
            return "rejected";
        }
        catch (Exception e)
        {
            var frame = new StackTrace(e, fNeedFileInfo: false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("NatVerify", StringComparison.Ordinal) == true);
            var where = frame?.GetMethod() is { } m ? $"{m.DeclaringType?.Name}.{m.Name}" : "?";
            return $"{e.GetType().Name} in {where}\n{e.Message}\n{e.StackTrace}";
        }
    }

    /// <summary>The next input: a corpus entry with one to four mutations.</summary>
    public (FuzzTarget Target, string Text) Next()
    {
        var (target, text) = _corpus[(int)Below((ulong)_corpus.Count)];
        var builder = new StringBuilder(text);
        var mutations = 1 + (int)Below(4);
        for (var m = 0; m < mutations; m++)
        {
            Mutate(builder, target);
        }

        return (target, builder.ToString());
    }

    private void Mutate(StringBuilder s, FuzzTarget target)
    {
        var at = s.Length == 0 ? 0 : (int)Below((ulong)s.Length + 1);
        switch (Below(9))
        {
            case 0 when s.Length > 0: // flip a character
                var i = (int)Below((ulong)s.Length);
                s[i] = (char)(s[i] ^ (char)(1 << (int)Below(7)));
                break;
            case 1: // insert a token that matters to some format
                s.Insert(at, Tokens[Below((ulong)Tokens.Length)]);
                break;
            case 2 when s.Length > 0: // delete a range
                var from = (int)Below((ulong)s.Length);
                s.Remove(from, (int)Math.Min((ulong)(s.Length - from), 1 + Below(64)));
                break;
            case 3 when s.Length > 0: // duplicate a range
                var start = (int)Below((ulong)s.Length);
                var length = (int)Math.Min((ulong)(s.Length - start), 1 + Below(256));
                s.Insert(at, s.ToString(start, length));
                break;
            case 4: // splice a range of another input of the same format
                var other = _corpus.Where(c => c.Target == target).ToList() is { Count: > 0 } same ? same[(int)Below((ulong)same.Count)].Text : _corpus[0].Text;
                if (other.Length > 0)
                {
                    var os = (int)Below((ulong)other.Length);
                    s.Insert(at, other.AsSpan(os, (int)Math.Min((ulong)(other.Length - os), 1 + Below(512))));
                }

                break;
            case 5 when s.Length > 0: // truncate
                s.Length = (int)Below((ulong)s.Length);
                break;
            case 6: // a random character, sometimes a control or a surrogate half
                s.Insert(at, (char)(Below(4) == 0 ? Below(0x20) : Below(3) == 0 ? 0xD800 + Below(0x800) : 0x20 + Below(0x5F)));
                break;
            case 7: // repeat a token many times (nesting, long lines)
                var token = Tokens[Below((ulong)Tokens.Length)];
                s.Insert(at, string.Concat(Enumerable.Repeat(token, 1 + (int)Below(200))));
                break;
            default: // replace a digit run with an extreme number
                s.Insert(at, Below(2) == 0 ? "18446744073709551616" : "-2147483649");
                break;
        }
    }

    /// <summary>A uniform number below <paramref name="n"/> from the SplitMix64 stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Below(ulong n)
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return n == 0 ? 0 : z % n;
    }
}
