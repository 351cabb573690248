using System.Globalization;

namespace NatVerify.Properties;

/// <summary>How big a counterexample is.</summary>
/// <param name="Actors">Actors in the scenario.</param>
/// <param name="Rules">Rules in the ruleset.</param>
/// <param name="Steps">Atomic steps up to the failure.</param>
/// <param name="Switches">Context switches: consecutive steps taken by different actors.</param>
public sealed record CaseSize(int Actors, int Rules, int Steps, int Switches)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Actors} actor{(Actors == 1 ? "" : "s")}, {Rules} rule{(Rules == 1 ? "" : "s")}, {Steps} step{(Steps == 1 ? "" : "s")}, {Switches} switch{(Switches == 1 ? "" : "es")}");
}
