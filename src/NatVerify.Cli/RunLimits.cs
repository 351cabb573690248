using System.Globalization;
using System.Text.Json.Nodes;
using NatVerify.Checker;

namespace NatVerify.Cli;

/// <summary>
/// The bounds a run actually applied, as the verdict and <c>--json</c> report them: the user's, plus the memory bound
/// derived from the machine when the user gave none (<see cref="ProcessMemory.Choose"/>).
/// </summary>
/// <param name="Memory">The bound on the process's resident memory, or null when none applies (the machine's memory could not be read).</param>
/// <param name="Timeout">The whole-run time limit, or null.</param>
/// <param name="MaxStates">--max-states, or null.</param>
/// <param name="MaxDepth">--max-depth, or null.</param>
internal sealed record RunLimits(MemoryBound? Memory, TimeSpan? Timeout, long? MaxStates, int? MaxDepth)
{
    /// <summary>The one "Bounds:" line of a report.</summary>
    public string Line()
    {
        var parts = new List<string>
        {
            "memory " + (Memory is { } m ? m.Describe() : "none (the machine's available memory could not be read)"),
            "time " + (Timeout is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.###} s for the whole run (--timeout)") : "none"),
        };
        if (MaxStates is { } s)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"states {s:N0}"));
        }

        if (MaxDepth is { } d)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"depth {d}"));
        }

        return "Bounds: " + string.Join("; ", parts);
    }

    /// <summary>The name of the memory bound in a verdict: "--max-memory" or "default memory".</summary>
    public string MemoryName => Memory is { IsDefault: true } ? "default memory" : "--max-memory";

    /// <summary>The <c>limits</c> definition of the JSON schema.</summary>
    public JsonObject Json() => new()
    {
        ["memoryBytes"] = Memory?.Bytes,
        ["memoryDefault"] = Memory?.IsDefault ?? false,
        ["memorySource"] = Memory?.From?.Source,
        ["availableBytes"] = Memory?.From?.Bytes,
        ["timeoutSeconds"] = Timeout?.TotalSeconds,
        ["maxStates"] = MaxStates,
        ["maxDepth"] = MaxDepth,
    };
}
