using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Specs;

namespace NatVerify.Traces;

/// <summary>
/// The parts of a spec that <see cref="SpecWriter"/> writes back as YAML: taken from a parsed spec, then pruned by
/// the minimiser (actors, ruleset lines, constraints) without ever editing YAML text by hand.
/// </summary>
/// <param name="Name">The spec name.</param>
/// <param name="Description">The description.</param>
/// <param name="Profile">The kernel profile.</param>
/// <param name="Tags">The tags.</param>
/// <param name="Interfaces">Interface name to address, in declaration order.</param>
/// <param name="RulesetLines">The iptables-save text, line by line (empty: no ruleset, so no NAT at all).</param>
/// <param name="Actors">The actors, in order.</param>
/// <param name="Sequential">True for <c>schedule: sequential</c>.</param>
/// <param name="Constraints">The order constraints.</param>
/// <param name="Properties">The property ids to check.</param>
/// <param name="Expect">The expectations.</param>
public sealed record SpecDraft(
    string Name,
    string Description,
    KernelProfile Profile,
    IReadOnlyList<string> Tags,
    IReadOnlyList<KeyValuePair<string, Ipv4>> Interfaces,
    IReadOnlyList<string> RulesetLines,
    IReadOnlyList<Actor> Actors,
    bool Sequential,
    IReadOnlyList<OrderConstraint> Constraints,
    IReadOnlyList<string> Properties,
    SpecExpectation Expect)
{
    /// <summary>
    /// Every interface with all its addresses and prefix lengths, when the spec gave a list or an addresses file
    /// (<see cref="ScenarioModel.Interfaces"/>); empty when one address per interface is the whole truth.
    /// </summary>
    public IReadOnlyList<InterfaceInfo> AddressLists { get; init; } = [];

    /// <summary>The spec's <c>pools:</c> (<see cref="ScenarioModel.Pools"/>), written back as they were read.</summary>
    public IReadOnlyList<PortPool> Pools { get; init; } = [];

    /// <summary>The draft of a parsed spec.</summary>
    public static SpecDraft From(ScenarioSpec spec) => new(
        spec.Name,
        spec.Description,
        spec.Profile,
        spec.Tags,
        spec.Model.InterfaceAddresses.ToList(),
        spec.RulesetText.Length == 0 ? [] : spec.RulesetText.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r')).ToList(),
        spec.Model.Actors,
        spec.Model.Sequential,
        spec.Model.Constraints,
        spec.Properties,
        spec.Expect)
    {
        AddressLists = spec.Model.Interfaces,
        Pools = spec.Model.Pools,
    };

    /// <summary>
    /// The draft without the given actors, and without what would dangle: timeouts targeting a removed actor and
    /// order constraints naming one. Expectations about removed actors are dropped too.
    /// </summary>
    public SpecDraft WithoutActors(IReadOnlySet<string> removed)
    {
        var gone = new HashSet<string>(removed, StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var a in Actors)
            {
                if (a is EntryTimeout t && gone.Contains(t.Target) && gone.Add(t.Name))
                {
                    changed = true;
                }
            }
        }
        while (changed);

        var e = Expect;
        var expect = new SpecExpectation(
            e.Verdict,
            e.ViolatedProperty,
            e.Outcomes.Where(kv => !gone.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            e.Combinations?.Any(c => c.Keys.Any(gone.Contains)) == true ? null : e.Combinations,
            e.Mutants);
        return this with
        {
            Actors = Actors.Where(a => !gone.Contains(a.Name)).ToList(),
            Constraints = Constraints.Where(c => !gone.Contains(c.Before) && !gone.Contains(c.After)).ToList(),
            Expect = expect,
        };
    }
}
