using NatVerify.Model.Addressing;
using NatVerify.Oracle.Model;

namespace NatVerify.Oracle.Comparison;

/// <summary>
/// The verdict of one kernel run against the model: <see cref="Agree"/> when some terminal state of the model
/// explains everything the kernel showed (<see cref="Closest"/>, with the numbers the kernel chose for the model's
/// fresh ports); otherwise the nearest terminal state and every difference from it.
/// </summary>
public sealed record ComparisonResult
{
    /// <summary>True when the kernel's outcome is one of the model's.</summary>
    public required bool Agree { get; init; }

    /// <summary>The matching terminal state, or the nearest one when they disagree.</summary>
    public required Prediction? Closest { get; init; }

    /// <summary>For an agreement: which kernel number each fresh port stood for.</summary>
    public required IReadOnlyDictionary<Port, int> Bindings { get; init; }

    /// <summary>For a disagreement: what differs from <see cref="Closest"/>, one line per item.</summary>
    public required IReadOnlyList<string> Differences { get; init; }
}
