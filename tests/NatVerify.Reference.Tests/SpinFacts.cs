using System.Globalization;
using System.Runtime.CompilerServices;
using NatVerify.Reference;

namespace NatVerify.Reference.Tests;

/// <summary>One row of SPIN's measured counts for a reference variant (Data/spin-table-a.csv, copied from bench/spin).</summary>
public sealed record SpinRow(
    RefVariant Variant,
    long NoReduceStates,
    long NoReduceTransitions,
    long Terminal,
    IReadOnlyDictionary<int, long> TerminalByInsertFailed,
    long PorStates,
    long PorTransitions)
{
    /// <summary>Edges of the model: SPIN's -DNOREDUCE transitions minus the never claim's stutter at each terminal state, minus 1.</summary>
    public long Edges => NoReduceTransitions - Terminal - 1;
}

/// <summary>SPIN's numbers for the 60 Table-A variants (N = 2..6), and which of them are small enough for the default suite.</summary>
public static class SpinFacts
{
    /// <summary>Variants up to this many states run in the default suite; the larger ones carry the Long trait.</summary>
    public const long SmallStates = 150_000;

    public static IReadOnlyList<SpinRow> TableA { get; } = Load();

    public static SpinRow Row(string model) => TableA.Single(r => r.Variant.Name == model);

    public static TheoryData<string> Small() => Names(r => r.NoReduceStates <= SmallStates);

    public static TheoryData<string> Large() => Names(r => r.NoReduceStates > SmallStates);

    public static TheoryData<string> SmallNondeterministic() => Names(r => r.NoReduceStates <= SmallStates && r.Variant.Choice == ChoiceMode.Nd);

    public static TheoryData<string> LargeNondeterministic() => Names(r => r.NoReduceStates > SmallStates && r.Variant.Choice == ChoiceMode.Nd);

    private static TheoryData<string> Names(Func<SpinRow, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (SpinRow row in TableA.Where(filter))
        {
            data.Add(row.Variant.Name);
        }

        return data;
    }

    private static List<SpinRow> Load([CallerFilePath] string source = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(source)!, "Data", "spin-table-a.csv");
        var rows = new List<SpinRow>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith('#') || line.StartsWith("model,", StringComparison.Ordinal) || line.Length == 0)
            {
                continue;
            }

            string[] f = line.Split(',');
            var byDrops = new Dictionary<int, long>();
            foreach (string pair in f[4].Split(' '))
            {
                string[] kv = pair.Split(':');
                byDrops[int.Parse(kv[0], CultureInfo.InvariantCulture)] = long.Parse(kv[1], CultureInfo.InvariantCulture);
            }

            rows.Add(new SpinRow(
                RefVariant.Parse(f[0]),
                long.Parse(f[1], CultureInfo.InvariantCulture),
                long.Parse(f[2], CultureInfo.InvariantCulture),
                long.Parse(f[3], CultureInfo.InvariantCulture),
                byDrops,
                long.Parse(f[5], CultureInfo.InvariantCulture),
                long.Parse(f[6], CultureInfo.InvariantCulture)));
        }

        return rows;
    }
}
