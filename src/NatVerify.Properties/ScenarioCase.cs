using NatVerify.Checker.Random;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;

namespace NatVerify.Properties;

/// <summary>
/// One generated test case: a scenario (interfaces, ruleset, actors) and a schedule through its interleavings.
/// The ruleset is either generated (<see cref="Rules"/>, shrinkable) or a user's (<see cref="Fixed"/>).
/// </summary>
/// <param name="Interfaces">Interface addresses.</param>
/// <param name="NatTable">Whether the namespace has a nat table at all (without one no null binding is ever made).</param>
/// <param name="Rules">Generated rules (empty with a fixed ruleset).</param>
/// <param name="Fixed">A user's ruleset, or <see langword="null"/> when the rules are generated.</param>
/// <param name="Actors">The actors, names unique.</param>
/// <param name="Schedule">Which successor to take at each step.</param>
public sealed record ScenarioCase(
    IReadOnlyDictionary<string, Ipv4> Interfaces,
    bool NatTable,
    IReadOnlyList<GeneratedRule> Rules,
    FixedRuleset? Fixed,
    IReadOnlyList<Actor> Actors,
    ChoiceSchedule Schedule)
{
    /// <summary>The iptables-save text of the case's ruleset (empty without a nat table).</summary>
    public string RulesetText => Fixed?.Text ?? (NatTable ? IptablesText.Ruleset(Rules) : string.Empty);

    /// <summary>Builds the scenario model: the generated rules go through the real iptables-save parser.</summary>
    /// <param name="name">The scenario's name.</param>
    /// <returns>The model.</returns>
    public ScenarioModel ToModel(string name = "generated")
    {
        var ruleset = Fixed?.Ruleset
            ?? (NatTable ? Specs.IptablesSaveParser.Parse(IptablesText.Ruleset(Rules), name) : Model.Nat.NatRuleset.None);
        return new ScenarioModel(name, ruleset, Interfaces, Actors, [], false);
    }

    /// <summary>A one-line size summary: actors, rules and schedule choices.</summary>
    /// <returns>E.g. <c>2 actors, 1 rule, 3 choices</c>.</returns>
    public string SizeText() =>
        $"{Actors.Count} actor{(Actors.Count == 1 ? "" : "s")}, {RuleCount} rule{(RuleCount == 1 ? "" : "s")}, schedule [{Schedule}]";

    /// <summary>The number of rules (generated or fixed).</summary>
    public int RuleCount => Fixed is { } f ? f.Ruleset.Chains.Values.Sum(c => c.Rules.Count) : Rules.Count;
}
