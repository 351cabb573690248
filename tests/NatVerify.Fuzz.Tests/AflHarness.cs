using System.Globalization;
using System.Text;

namespace NatVerify.Fuzz.Tests;

/// <summary>
/// The coverage-guided harness that AFL++ drives (<c>scripts/afl-fuzz.sh</c>). One AFL input is one byte choosing the
/// parser (<see cref="Targets"/>, modulo their count) followed by the text, decoded the way the CLI decodes a file
/// (UTF-8, a byte-order mark honoured, invalid bytes replaced). The verdict is the mutation fuzzer's
/// (<see cref="Fuzzer.Parse"/>): a parsed result or a located input error is fine; any other exception is thrown out
/// of the action, which SharpFuzz reports to afl-fuzz as a crash. Hangs are afl-fuzz's own <c>-t</c> bound, and a
/// process death (a stack overflow) is a crash too: the parsers run in SharpFuzz's out-of-process server, whose child
/// afl-fuzz may kill and which restarts it.
/// </summary>
public static class AflHarness
{
    /// <summary>The parsers in the order of the selector byte (append only: recorded crash files depend on it).</summary>
    public static readonly IReadOnlyList<FuzzTarget> Targets =
    [
        FuzzTarget.Spec, FuzzTarget.IptablesSave, FuzzTarget.NftText, FuzzTarget.NftJson, FuzzTarget.Trace,
        FuzzTarget.Conntrack, FuzzTarget.IpAddr, FuzzTarget.Ss, FuzzTarget.Context,
    ];

    /// <summary>Seed inputs larger than this are left out: afl-fuzz mutates small inputs far faster.</summary>
    public const int MaxSeedBytes = 16_384;

    /// <summary>The AFL input for <paramref name="text"/> given to <paramref name="target"/>.</summary>
    public static byte[] Encode(FuzzTarget target, string text)
    {
        var selector = Targets.ToList().IndexOf(target);
        if (selector < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "not a target of the AFL harness");
        }

        return [(byte)selector, .. new UTF8Encoding(false).GetBytes(text)];
    }

    /// <summary>The parser and the text an AFL input stands for; an empty input is an empty spec.</summary>
    public static (FuzzTarget Target, string Text) Decode(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return (Targets[0], "");
        }

        // As Specs.Input.InputFile.ReadText reads a file: UTF-8 unless a byte-order mark says otherwise.
        using var reader = new StreamReader(new MemoryStream(input[1..].ToArray()), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return (Targets[input[0] % Targets.Count], reader.ReadToEnd());
    }

    /// <summary>
    /// Runs one AFL input: returns null for a parsed result or a located error, otherwise the failure
    /// (<see cref="Fuzzer.Parse"/>). Used by the harness and by the regression tests that replay recorded crash files.
    /// </summary>
    public static string? Verdict(ReadOnlySpan<byte> input)
    {
        var (target, text) = Decode(input);
        var outcome = Fuzzer.Parse(target, text);
        return outcome is null or "rejected" ? null : outcome;
    }

    /// <summary>Writes the seed corpus (<see cref="FuzzCorpus.Load"/>, small entries only) as AFL input files.</summary>
    public static int WriteSeeds(string directory)
    {
        Directory.CreateDirectory(directory);
        var written = 0;
        foreach (var (target, text) in FuzzCorpus.Load())
        {
            var bytes = Encode(target, text);
            if (bytes.Length <= MaxSeedBytes)
            {
                File.WriteAllBytes(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{written:D3}-{target}")), bytes);
                written++;
            }
        }

        return written;
    }

    /// <summary>
    /// The fork-server loop under afl-fuzz (a single run of standard input otherwise). With <paramref name="canary"/>,
    /// any text holding a NUL character is a finding too: a planted bug that afl-fuzz finds within seconds, so that
    /// <c>scripts/afl-fuzz.sh --canary</c> shows the whole chain (harness, fork server, afl-fuzz, the script's verdict)
    /// reports a crash.
    /// </summary>
    public static void Run(bool canary = false) => SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var input = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (canary && Decode(input).Text.Contains('\0', StringComparison.Ordinal))
        {
            throw new AflFindingException("canary: a NUL character (planted by --canary)");
        }

        if (Verdict(input) is { } failure)
        {
            throw new AflFindingException(failure);
        }
    });
}

/// <summary>A parser ended an input in something other than a parse or a located error (reported to afl-fuzz).</summary>
public sealed class AflFindingException(string failure) : Exception(failure);
