using System.Globalization;
using System.Text;

namespace NatVerify.Checker.Random;

/// <summary>
/// An interleaving written as choices: <see cref="Initial"/> selects the initial state and the i-th choice selects
/// successor <c>Choices[i] mod count</c> of the i-th state (successor order is the system's deterministic order).
/// Past the end of the list every choice is 0, so deleting choices and lowering them are the shrinking moves: fewer
/// steps that differ from "the first enabled successor", fewer context switches.
/// </summary>
/// <param name="Initial">Index of the initial state (mod the number of initial states).</param>
/// <param name="Choices">The successor choices, in step order.</param>
public sealed record ChoiceSchedule(int Initial, IReadOnlyList<int> Choices)
{
    /// <summary>The empty schedule: the first initial state, then always the first successor.</summary>
    public static ChoiceSchedule Empty { get; } = new(0, []);

    /// <summary>Formats as <c>0,2,1</c>, prefixed by <c>@k:</c> when the initial state is not the first.</summary>
    /// <returns>Text that <see cref="TryParse"/> reads back.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Initial != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"@{Initial}:");
        }

        text.AppendJoin(',', Choices);
        return text.ToString();
    }

    /// <inheritdoc />
    public bool Equals(ChoiceSchedule? other) =>
        other is not null && Initial == other.Initial && Choices.SequenceEqual(other.Choices);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Initial);
        foreach (var c in Choices)
        {
            hash.Add(c);
        }

        return hash.ToHashCode();
    }

    /// <summary>Parses <c>[@k:]c1,c2,...</c> (non-negative integers; spaces allowed; empty means <see cref="Empty"/>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="schedule">The schedule, when the text is valid.</param>
    /// <param name="error">What is wrong, when it is not.</param>
    /// <returns>True when the text is a valid schedule.</returns>
    public static bool TryParse(string text, out ChoiceSchedule schedule, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        schedule = Empty;
        error = string.Empty;
        var body = text.Trim();
        var initial = 0;
        if (body.StartsWith('@'))
        {
            var colon = body.IndexOf(':');
            if (colon < 0 || !TryNumber(body[1..colon], out initial))
            {
                error = $"bad initial-state prefix in '{text}': expected @N: before the choices";
                return false;
            }

            body = body[(colon + 1)..];
        }

        var choices = new List<int>();
        if (body.Trim().Length > 0)
        {
            var parts = body.Split(',');
            for (var i = 0; i < parts.Length; i++)
            {
                if (!TryNumber(parts[i], out var c))
                {
                    error = $"bad choice '{parts[i].Trim()}' at position {i + 1} of '{text}': choices are non-negative integers separated by commas";
                    return false;
                }

                choices.Add(c);
            }
        }

        schedule = new ChoiceSchedule(initial, choices);
        return true;
    }

    private static bool TryNumber(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 0;
}
