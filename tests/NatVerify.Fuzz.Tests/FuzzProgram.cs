using System.Globalization;

namespace NatVerify.Fuzz.Tests;

/// <summary>
/// The command-line fuzzer (<c>scripts/fuzz.sh</c>, or <c>dotnet exec NatVerify.Fuzz.Tests.dll fuzz --seed N --count M
/// [--out DIR]</c>): prints the seed, runs, writes every finding's input into DIR, and exits 1 when there is any.
/// The same assembly is the AFL++ target of <c>scripts/afl-fuzz.sh</c> (<see cref="AflHarness"/>): <c>afl</c> runs
/// the fork server (<c>afl --canary</c> with a planted bug), <c>afl-seeds DIR</c> writes the seed corpus, <c>afl-replay FILE...</c> runs recorded AFL inputs
/// in-process and prints each one's parser and outcome (exit 1 when any still fails).
/// </summary>
public static class FuzzProgram
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["afl"]:
                AflHarness.Run();
                return 0;
            case ["afl", "--canary"]:
                AflHarness.Run(canary: true);
                return 0;
            case ["afl-seeds", var dir]:
                Console.WriteLine($"afl-seeds: {AflHarness.WriteSeeds(dir)} seed inputs written to {dir}");
                return 0;
            case ["afl-replay", .. var files] when files.Length > 0:
                return Replay(files);
            case ["fuzz", ..]:
                break;
            default:
                Console.Error.WriteLine("usage: fuzz [--seed N] [--count M] [--per-input SECONDS] [--out DIR] | afl | afl-seeds DIR | afl-replay FILE...");
                return 2;
        }

        ulong seed = (ulong)DateTime.UtcNow.Ticks;
        int count = 100_000;
        double perInput = 10;
        string? outDir = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seed" when value is not null && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                    seed = s;
                    i++;
                    break;
                case "--count" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0:
                    count = c;
                    i++;
                    break;
                case "--per-input" when value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0:
                    perInput = p;
                    i++;
                    break;
                case "--out" when value is not null:
                    outDir = value;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"error: bad argument '{args[i]}'");
                    return 2;
            }
        }

        var corpus = FuzzCorpus.Load();
        Console.WriteLine($"fuzz: seed {seed}, {count} inputs, {corpus.Count} seed inputs, at most {perInput} s per input");
        var report = new Fuzzer(corpus, seed, TimeSpan.FromSeconds(perInput)).Run(count, Console.WriteLine);
        Console.WriteLine($"fuzz: seed {report.Seed}: {report.Inputs} inputs, {report.Parsed} parsed, {report.Rejected} rejected with a located error, {report.Findings.Count} findings");
        for (var n = 0; n < report.Findings.Count; n++)
        {
            var f = report.Findings[n];
            Console.WriteLine($"--- finding {n + 1}: {f.Target}, input {f.Index} of seed {report.Seed}");
            Console.WriteLine(f.Failure);
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                // As a JSON string: lossless for any UTF-16 text, lone surrogates and NULs included.
                var file = Path.Combine(outDir, string.Create(CultureInfo.InvariantCulture, $"finding-{n + 1}-{f.Target}.json"));
                File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(f.Input));
                Console.WriteLine($"input written to {file}");
            }
        }

        return report.Findings.Count == 0 ? 0 : 1;
    }

    private static int Replay(string[] files)
    {
        var failing = 0;
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var (target, text) = AflHarness.Decode(bytes);
            // Bounded like the mutation fuzzer, so that a recorded hang is reported rather than hanging the replay.
            var outcome = Fuzzer.Execute(target, text, TimeSpan.FromSeconds(20));
            failing += outcome is null or "rejected" ? 0 : 1;
            Console.WriteLine($"--- {file}: {target}, {text.Length} characters: {outcome ?? "parsed"}");
            var literal = System.Text.Json.JsonSerializer.Serialize(text);
            Console.WriteLine(literal.Length <= 2000
                ? $"as a C# literal for FuzzRegressionTests: {literal}"
                : $"({literal.Length} characters as a C# literal: keep the file in AflRegressions/ rather than a literal)");
        }

        return failing == 0 ? 0 : 1;
    }
}
