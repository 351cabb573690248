using System.Globalization;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// The <c>conntrack -S</c> counters of one namespace, summed over CPUs (the kernel keeps them per CPU and per
/// network namespace), by the names the tool prints (<c>found</c>, <c>insert</c>, <c>insert_failed</c>, ...).
/// </summary>
public sealed class KernelCounters
{
    private readonly SortedDictionary<string, long> _values;

    private KernelCounters(SortedDictionary<string, long> values) => _values = values;

    /// <summary>Every counter, by name.</summary>
    public IReadOnlyDictionary<string, long> Values => _values;

    /// <summary>A counter's value (0 when the tool did not print it).</summary>
    public long this[string name] => _values.GetValueOrDefault(name);

    /// <summary>Parses <c>conntrack -S</c> output: one line per CPU of <c>key=value</c> pairs.</summary>
    public static KernelCounters Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var values = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var token in output.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = token.IndexOf('=');
            if (eq <= 0 || token[..eq] == "cpu")
            {
                continue;
            }

            if (long.TryParse(token[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[token[..eq]] = values.GetValueOrDefault(token[..eq]) + value;
            }
        }

        return new KernelCounters(values);
    }

    /// <summary>How far each counter moved from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static KernelCounters Delta(KernelCounters before, KernelCounters after)
    {
        var values = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in before._values.Keys.Union(after._values.Keys))
        {
            values[name] = after[name] - before[name];
        }

        return new KernelCounters(values);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(' ', _values.Where(kv => kv.Value != 0).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")))
        is { Length: > 0 } text ? text : "(no counter moved)";
}
