using NatVerify.Model;
using NatVerify.Model.Scenario;

namespace NatVerify.Specs;

/// <summary>A parsed scenario spec file: the scenario model plus what checking it should show.</summary>
/// <param name="File">Display path the spec was loaded from.</param>
/// <param name="Name">The spec's name (<c>[a-z0-9-]+</c>).</param>
/// <param name="Description">Free text describing the scenario, trailing whitespace removed.</param>
/// <param name="Profile">The kernel profile to check against.</param>
/// <param name="RulesetText">The iptables-save text of the ruleset as written (empty when the spec has none).</param>
/// <param name="Model">The scenario the checker explores.</param>
/// <param name="Properties">Property ids to check (from <c>PropertyIds.All</c>; all of them when the spec omits the key).</param>
/// <param name="Expect">The expected verdict, outcomes and mutant results.</param>
/// <param name="Tags">Free-form tags for selecting specs.</param>
public sealed record ScenarioSpec(
    string File,
    string Name,
    string Description,
    KernelProfile Profile,
    string RulesetText,
    ScenarioModel Model,
    IReadOnlyList<string> Properties,
    SpecExpectation Expect,
    IReadOnlyList<string> Tags);
