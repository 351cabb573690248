using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Specs;
using NatVerify.Testing;

namespace NatVerify.Properties.Tests;

/// <summary>The generators and shrinkers: what they produce reads back exactly through the spec format, covers the model, and stays valid when shrunk.</summary>
public class GeneratorTests
{
    private static readonly SuiteSettings Settings = SuiteSettings.Generated(KernelProfile.Linux612);

    [Fact]
    public void A_generated_case_reads_back_identically_from_its_spec_text()
    {
        var property = new PropertyDefinition<ScenarioCase>(
            "spec-round-trip",
            "SpecText writes a case that SpecLoader reads back to the same actors, interfaces and rules",
            NatGen.CaseArbitrary(Settings),
            c =>
            {
                var spec = SpecLoader.Parse(SpecText.Write(c, "case", "round trip", KernelProfile.Linux612), "case.yaml");
                if (!spec.Model.Actors.SequenceEqual(c.Actors))
                {
                    return "actors differ after reading the spec back";
                }

                if (!spec.Model.InterfaceAddresses.OrderBy(kv => kv.Key).SequenceEqual(c.Interfaces.OrderBy(kv => kv.Key)))
                {
                    return "interfaces differ";
                }

                if (spec.Model.Ruleset.NatTablePresent != c.NatTable)
                {
                    return "nat table presence differs";
                }

                // Per chain, in order (the parser groups rules by chain; the generator interleaves chains).
                var parsed = spec.Model.Ruleset.Chains.Values.SelectMany(ch => ch.Rules.Select(r => (Chain: ch.Name, r.Match, r.Target)))
                    .OrderBy(r => r.Chain, StringComparer.Ordinal).ToList();
                var generated = c.Rules.Select(r => (r.Chain, r.Match, r.Target)).OrderBy(r => r.Chain, StringComparer.Ordinal).ToList();
                return parsed.SequenceEqual(generated) ? null : "rules differ after reading the iptables-save text back";
            },
            c => NatSuites.Describe(c, Settings),
            c => c.SizeText());
        PropertyAssert.Holds(property, 500, TestSeed.For("round-trip"));
    }

    [Fact]
    public void Shrink_candidates_are_valid_cases()
    {
        var shrinker = NatShrink.Case(Settings);
        var property = new PropertyDefinition<ScenarioCase>(
            "shrink-valid",
            "every shrink candidate builds a model and reads back from its spec text",
            NatGen.CaseArbitrary(Settings),
            c =>
            {
                foreach (var candidate in shrinker(c).Take(60))
                {
                    _ = candidate.ToModel();
                    _ = SpecLoader.Parse(SpecText.Write(candidate, "candidate", "shrink", KernelProfile.Linux612), "candidate.yaml");
                }

                return null;
            },
            c => NatSuites.Describe(c, Settings),
            c => c.SizeText());
        PropertyAssert.Holds(property, 150, TestSeed.For("shrink-valid"));
    }

    [Fact]
    public void Generated_cases_cover_targets_ranges_flags_paths_events_and_port_class_boundaries()
    {
        var arbitrary = NatGen.CaseArbitrary(Settings);
        var seed = TestSeed.For("coverage");
        var seen = new HashSet<string>();
        for (var i = 0; i < 600; i++, seed = PropertyRunner.NextSeed(seed))
        {
            var c = PropertyRunner.Generate(arbitrary, seed);
            seen.Add(c.NatTable ? "nat-table" : "no-nat-table");
            foreach (var rule in c.Rules)
            {
                seen.Add(rule.Target.GetType().Name);
                var range = rule.Target switch
                {
                    SnatTarget s => s.Range,
                    DnatTarget d => d.Range,
                    _ => null,
                };
                if (range is { ProtoSpecified: true })
                {
                    seen.Add(range.MinProto == range.MaxProto ? "single-port" : "port-range");
                }

                if (range is { } r && r.MinAddr != r.MaxAddr)
                {
                    seen.Add("address-range");
                }

                var flags = range?.Flags ?? rule.Target switch
                {
                    MasqueradeTarget m => m.Flags,
                    RedirectTarget rd => rd.Flags,
                    _ => NatRangeFlags.None,
                };
                foreach (var flag in new[] { NatRangeFlags.ProtoRandom, NatRangeFlags.ProtoRandomFully, NatRangeFlags.Persistent })
                {
                    if ((flags & flag) != 0)
                    {
                        seen.Add(flag.ToString());
                    }
                }
            }

            foreach (var actor in c.Actors)
            {
                seen.Add(actor.GetType().Name);
                if (actor is FlowActor f)
                {
                    seen.Add(f.Path.ToString());
                    seen.Add(f.Original.Protocol.ToString());
                    foreach (var port in new[] { f.Original.SrcPort.Raw, f.Original.DstPort.Raw })
                    {
                        if (Vocabulary.ClassBoundaryPorts.Contains(port))
                        {
                            seen.Add($"port-{port}");
                        }
                    }
                }
            }
        }

        string[] expected =
        [
            "nat-table", "no-nat-table", nameof(SnatTarget), nameof(DnatTarget), nameof(MasqueradeTarget), nameof(RedirectTarget),
            nameof(AcceptTarget), nameof(ReturnTarget), "single-port", "port-range", "address-range",
            nameof(NatRangeFlags.ProtoRandom), nameof(NatRangeFlags.ProtoRandomFully), nameof(NatRangeFlags.Persistent),
            nameof(FlowActor), nameof(CtnetlinkInsert), nameof(CtnetlinkDelete), nameof(EntryTimeout),
            nameof(PacketPath.LocalOut), nameof(PacketPath.Forward), nameof(PacketPath.LocalIn),
            nameof(L4Protocol.Tcp), nameof(L4Protocol.Udp), nameof(L4Protocol.Icmp),
            "port-511", "port-512", "port-599", "port-600", "port-1023", "port-1024",
        ];
        Assert.Empty(expected.Except(seen));
    }

    [Fact]
    public void Generated_flows_are_never_self_connections()
    {
        var property = new PropertyDefinition<ScenarioCase>(
            "no-self-inverse",
            "no generated flow or insert has a tuple equal to its own inverse",
            NatGen.CaseArbitrary(Settings),
            c => c.Actors.OfType<FlowActor>().Any(f => NatGen.SelfInverse(f.Original))
                || c.Actors.OfType<CtnetlinkInsert>().Any(i => i.Original == i.Reply)
                ? "a self-inverse tuple was generated"
                : null,
            c => NatSuites.Describe(c, Settings),
            c => c.SizeText());
        PropertyAssert.Holds(property, 500, TestSeed.For("self-inverse"));
    }

    [Fact]
    public void The_vocabulary_of_a_spec_holds_its_addresses_ports_and_marks()
    {
        var spec = SeedSpecs.Load("race-unconstrained");
        var v = Vocabulary.FromSpec(spec);
        Assert.Contains(Ipv4.Parse("198.51.100.1"), v.Addresses);
        Assert.Contains(Ipv4.Parse("198.51.100.2"), v.Addresses);
        Assert.Contains(12345, v.Ports);
        Assert.Contains(12344, v.Ports);
        Assert.Contains(12346, v.Ports);
        Assert.Contains(54321, v.Ports);
        Assert.Contains(0x64u, v.Marks);
        Assert.Contains(0xc8u, v.Marks);
        Assert.Contains(1024, v.Ports);
    }
}
