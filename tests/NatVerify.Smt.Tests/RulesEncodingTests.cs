using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;
using NatVerify.Smt.Bmc;
using NatVerify.Smt.Encoding;
using NatVerify.Specs;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Smt.Tests;

/// <summary>
/// The rules of every table reach BMC through the explicit engine's own walk evaluated on one packet per class
/// (<see cref="RulesEncoder"/>); these tests pin down that the classes are classes (no rule tells their packets apart)
/// and the constructs that encoding made answerable.
/// </summary>
public sealed class RulesEncodingTests(ITestOutputHelper output)
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("NATVERIFY_SEED"), out var s) ? s : 5150;

    /// <summary>
    /// For every shipped spec BMC takes and every flow: each class of each tuple field (the flow's own tuple with that
    /// field moved) gives, at its lowest value, its highest value and 3 random values inside, the same result of every
    /// rule walk a flow's step makes (before and after conntrack, the nat chains and the chains after them at both NAT
    /// hooks) as at the class's representative. A bound missing from the class cuts (an address type, a MASQUERADE
    /// subnet, a masked or multi-field match) makes two packets of one class differ and fails this.
    /// </summary>
    [Fact]
    public void Every_packet_of_a_class_gets_the_rule_walk_result_of_the_class_representative()
    {
        var random = new Random(Seed);
        output.WriteLine($"seed {Seed}");
        var checkedClasses = 0;
        foreach (var file in TestSupport.RepositoryFiles.ScenarioSpecs())
        {
            var scenario = SpecLoader.LoadFile(file).Model;
            try
            {
                BmcSubset.Check(scenario);
            }
            catch (BmcUnsupportedException)
            {
                continue;
            }

            var starts = RulesEncoder.ClassStarts(scenario);
            var semantics = new NatSemantics(scenario, KernelProfile.Linux612);
            var rules = semantics.FirstPacket;
            foreach (var flow in scenario.Actors.OfType<FlowActor>())
            {
                var dstHook = flow.Path == PacketPath.LocalOut ? NatHook.Output : NatHook.PreRouting;
                var srcHook = flow.Path == PacketPath.LocalIn ? NatHook.Input : NatHook.PostRouting;
                string Results(ConntrackTuple p)
                {
                    var parts = new List<IReadOnlyList<RulesResult>> { rules.BeforeConntrack(flow, p) };
                    if (semantics.ConntrackActive)
                    {
                        parts.Add(rules.AfterConntrack(flow, p, flow.Mark, tracked: true));
                        parts.Add(rules.AfterConntrack(flow, p, flow.Mark, tracked: false));
                        if (scenario.Ruleset.NatTablePresent)
                        {
                            foreach (var hook in new[] { dstHook, srcHook })
                            {
                                parts.Add(rules.NatChains(flow, hook, p, flow.Mark, 0, CtStatus.None));
                                parts.Add(rules.AfterNat(flow, hook, p, flow.Mark, 0, CtStatus.None));
                            }
                        }
                    }

                    return string.Join(" / ", parts.Select(l => string.Join(", ", l)));
                }

                for (var d = 0; d < 4; d++)
                {
                    // ICMP keeps its type/code in the destination-port field: not a free field.
                    if (d == 3 && flow.Original.Protocol == L4Protocol.Icmp)
                    {
                        continue;
                    }

                    var max = d is 0 or 2 ? (ulong)uint.MaxValue : ushort.MaxValue;
                    for (var k = 0; k < starts[d].Length; k++)
                    {
                        ulong lo = starts[d][k];
                        var hi = k + 1 < starts[d].Length ? starts[d][k + 1] - 1UL : max;
                        var expected = Results(With(flow.Original, d, lo));
                        var values = new List<ulong> { hi };
                        for (var n = 0; n < 3; n++)
                        {
                            values.Add(lo + (ulong)(random.NextDouble() * (hi - lo)));
                        }

                        foreach (var v in values)
                        {
                            var actual = Results(With(flow.Original, d, v));
                            Assert.True(expected == actual, $"{Path.GetFileName(file)}, {flow.Name}, field {d}: class [{lo}, {hi}] gives {expected} at {lo} but {actual} at {v}");
                        }

                        checkedClasses++;
                    }
                }
            }
        }

        output.WriteLine($"{checkedClasses} classes checked");
        Assert.True(checkedClasses > 100, $"only {checkedClasses} classes checked");
    }

    private static ConntrackTuple With(ConntrackTuple t, int field, ulong value) => field switch
    {
        0 => t with { SrcIp = new Ipv4((uint)value) },
        1 => t with { SrcPort = Port.Of((int)value) },
        2 => t with { DstIp = new Ipv4((uint)value) },
        _ => t with { DstPort = Port.Of((int)value) },
    };

    /// <summary>
    /// A MASQUERADE whose out interface has no address drops the packet (NF_DROP from the target): BMC answers it
    /// (it used to refuse it), the drop is not a violation of drop-explained, and both engines agree over every
    /// interleaving at the full depth.
    /// </summary>
    [Fact]
    public void Masquerade_without_an_address_drops_the_packet_in_both_engines()
    {
        var spec = SpecLoader.LoadFile(Path.Combine(Support.TestSpecs, "masquerade-without-address.yaml"));
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        Assert.All(result.Bmc.Properties, p => Assert.IsType<SmtUnsat>(p.Outcome));
        Assert.Contains(result.Bmc.JointOutcomes, j => j.Outcomes[0].Kind == OutcomeKind.Dropped && j.Outcomes[1].Kind == OutcomeKind.Kept);
    }

    /// <summary>
    /// A symbolic field read by match terms, a mark set in mangle and read in nat: BMC finds, for some value, each
    /// outcome the rules allow (the marked flow SNATed when its destination port is the one the mangle rule names,
    /// kept otherwise), and every witness replays on the explicit engine.
    /// </summary>
    [Fact]
    public void A_symbolic_port_selects_the_mangle_mark_and_so_the_snat_rule()
    {
        var spec = SpecLoader.LoadFile(Path.Combine(Support.Root, "specs", "rules", "mangle-mark-selects-snat.yaml"));
        var symbolic = SymbolicSpec.None.With(spec.Model, ["other.dport in 1-1000"]);
        var report = BoundedModelChecker.Run(spec, symbolic, new BmcSettings { Bound = BmcSubset.FullDepth(spec.Model) });
        Assert.Empty(report.FailedReplays);
        var others = report.JointOutcomes.Select(j => j.Outcomes[1].ToString()).Distinct().Order().ToList();
        output.WriteLine(string.Join(", ", others));
        Assert.Contains("kept", others);
        Assert.Contains(others, o => o.StartsWith("nat", StringComparison.Ordinal) || o == "dropped");
    }

    /// <summary>
    /// Random small specs from <see cref="SpecGenerator"/> that carry a rule of another table (mangle MARK, raw notrack,
    /// filter DROP, a FORWARD DROP policy), 2 of them, real kernel, full depth: both engines agree.
    /// </summary>
    [Fact]
    public void Bmc_and_the_explicit_engine_agree_on_random_specs_with_rules_of_other_tables() => OtherTables(2);

    /// <summary>The same over 30 such specs (Long).</summary>
    [Fact]
    [Trait("Category", "Long")]
    public void Bmc_and_the_explicit_engine_agree_on_many_random_specs_with_rules_of_other_tables() => OtherTables(30);

    private void OtherTables(int count)
    {
        output.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        var found = 0;
        for (var n = 0; n < 50 * count && found < count; n++)
        {
            var specSeed = random.Next();
            var yaml = SpecGenerator.Generate(specSeed);
            if (!(yaml.Contains("*mangle", StringComparison.Ordinal) || yaml.Contains("*raw", StringComparison.Ordinal)
                || yaml.Contains("-j DROP", StringComparison.Ordinal) || yaml.Contains("FORWARD DROP", StringComparison.Ordinal)))
            {
                continue;
            }

            var spec = SpecLoader.Parse(yaml, $"gen-{specSeed}.yaml");
            var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
            Assert.True(result.Differences.Count == 0, $"spec seed {specSeed}:\n{string.Join("\n", result.Differences)}\n{yaml}");
            output.WriteLine($"spec seed {specSeed}: {result.Bmc.JointOutcomes.Count} joint outcomes");
            found++;
        }

        Assert.Equal(count, found);
    }
}
