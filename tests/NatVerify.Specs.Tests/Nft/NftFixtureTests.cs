using System.Runtime.CompilerServices;
using NatVerify.Model.Nat;
using NatVerify.Specs.Nft;

namespace NatVerify.Specs.Tests.Nft;

/// <summary>
/// Real dumps (Fixtures/, produced by Fixtures/generate.sh from the sources beside them) of a kube-proxy nftables-mode
/// node, an OpenWrt fw4-like router and a firewalld-like host: both the text and the JSON dump parse with every rule
/// in the model (no over-approximation), into the same model.
/// </summary>
public sealed class NftFixtureTests
{
    public static TheoryData<string> Fixtures => new() { "kube-proxy-node", "firewalld-host" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Real_dump_parses_completely_and_text_and_json_agree(string name)
    {
        var text = File.ReadAllText(Path.Combine(Dir(), name + ".dump.nft"));
        var json = File.ReadAllText(Path.Combine(Dir(), name + ".dump.json"));
        Assert.Equal(RulesetFormat.Nft, RulesetReader.Detect(text));
        Assert.Equal(RulesetFormat.NftJson, RulesetReader.Detect(json));
        var fromText = RulesetReader.Parse(text, name + ".dump.nft");
        var fromJson = RulesetReader.Parse(json, name + ".dump.json");
        Assert.Empty(fromText.OverApproximations);
        Assert.Empty(fromJson.OverApproximations);
        Assert.Equal(NftKernel.Canonical(fromText), NftKernel.Canonical(fromJson));
        EveryJsonRuleIsInTheModelOrAnIpv6Skip(json, fromJson);
        Assert.True(fromText.NatTablePresent);
        Assert.NotEmpty(fromText.BaseChains);
    }

    [Fact]
    public void Kube_proxy_dump_lowers_service_vmap_numgen_endpoints_and_masquerading_chain()
    {
        var r = NftJsonParser.Parse(File.ReadAllText(Path.Combine(Dir(), "kube-proxy-node.dump.json")), "kp.json");
        var chains = r.Tables.Single().Chains;

        // One rule per service-ips element, each a concatenated daddr . l4proto . dport lookup with a goto.
        var services = chains["services"].Rules;
        Assert.True(services.Count(x => x.Target is JumpTarget { IsGoto: true } j && j.Chain.StartsWith("service-", StringComparison.Ordinal)) == 12);
        Assert.All(services.Where(x => x.Target is JumpTarget j && j.Chain.StartsWith("service-", StringComparison.Ordinal)), x => Assert.Equal(
            [PacketField.DstAddr, PacketField.L4Proto, PacketField.DstPort],
            x.Match.Terms.OfType<ConcatTerm>().Single().Fields));
        // Node ports: fib daddr type local, daddr not in 127/8, then l4proto . dport.
        var nodePort = services.First(x => x.Target is JumpTarget j && j.Chain.StartsWith("external-", StringComparison.Ordinal));
        Assert.Equal("fib-d=Local !DstAddr={2130706432-2147483647} (L4Proto.DstPort)∈{6.30000}", string.Join(" ", nodePort.Match.Terms.Select(NftKernel.Term)));

        // A service with 3 endpoints: numgen random mod 3 lowered to three gotos; the last is unconditional because
        // the elements cover 0..2.
        var multi = chains.Values.First(c => c.Name.StartsWith("service-", StringComparison.Ordinal) && c.Rules.Count == 4);
        var picks = multi.Rules.Skip(1).ToList();
        Assert.Equal(SelectorKind.Random, picks[0].Match.Terms.OfType<SelectorTerm>().Single().Kind);
        Assert.Empty(picks[2].Match.Terms);
        Assert.All(picks, p => Assert.StartsWith("endpoint-", ((JumpTarget)p.Target).Chain, StringComparison.Ordinal));

        var masq = chains["masquerading"].Rules;
        Assert.Equal("Mark&0x4000={0}", NftKernel.Term(masq[0].Match.Terms.Single()));
        Assert.IsType<ReturnTarget>(masq[0].Target);
        var flip = Assert.IsType<MarkStatement>(masq[1].Statements.Single());
        Assert.Equal((0u, 0u), flip.Apply(0x4000, 0));
        var m = Assert.IsType<MasqueradeTarget>(masq[2].Target);
        Assert.Equal(NatRangeFlags.ProtoRandomFully, m.Flags);
        var set = Assert.IsType<MarkStatement>(chains["mark-for-masquerade"].Rules.Single().Statements.Single());
        Assert.Equal((0x4001u, 0u), set.Apply(0x1, 0));
        Assert.All(r.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules), x => Assert.NotNull(x.Location!.Handle));
    }

    [Fact]
    public void Firewalld_dump_skips_ipv6_only_rules_with_a_note_and_keeps_plus_ten_priorities()
    {
        var r = NftTextParser.Parse(File.ReadAllText(Path.Combine(Dir(), "firewalld-host.dump.nft")), "fw.nft");
        Assert.Contains(r.BaseChains, b => b.Chain == "nat_PREROUTING" && b.Priority == HookPriority.NatDst + 10);
        Assert.Contains(r.BaseChains, b => b.Chain == "nat_POSTROUTING" && b.Priority == HookPriority.NatSrc + 10);
        Assert.Contains(r.BaseChains, b => b.Chain == "mangle_PREROUTING" && b.Priority == HookPriority.Mangle + 10);
        Assert.Equal(4, r.OtherTables.Count(n => n.EndsWith("rule matches only IPv6 packets; skipped", StringComparison.Ordinal)));
        var dnat = Assert.IsType<DnatTarget>(r.Tables[0].Chains["nat_PRE_public_allow"].Rules.Single().Target);
        Assert.Equal("192.0.2.10:22", dnat.Range.ToString());
    }

    [Fact]
    public void Fw4_dump_parses_with_every_rule_in_the_model_but_the_syn_flood_limit_which_is_a_located_error()
    {
        // fw4's defaults: the SYN-flood limit is the one construct the model does not interpret (time), an error at its
        // rule in both notations; as an over-approximation it is the only one. MTU fixing (tcp option maxseg) and the ftp
        // helper are modelled no-ops, the helper enabling conntrack like the object's init does.
        var text = File.ReadAllText(Path.Combine(Dir(), "fw4-router.dump.nft"));
        var json = File.ReadAllText(Path.Combine(Dir(), "fw4-router.dump.json"));
        var e = Assert.Throws<SpecException>(() => RulesetReader.Parse(text, "fw4-router.dump.nft"));
        Assert.Contains("limit", e.Detail, StringComparison.Ordinal);
        Assert.Contains("limit rate 25/second", text.Split('\n')[e.Line - 1], StringComparison.Ordinal);
        var ej = Assert.Throws<SpecException>(() => RulesetReader.Parse(json, "fw4-router.dump.json"));
        Assert.Contains("limit", ej.Detail, StringComparison.Ordinal);

        var over = new NftParseOptions { OverApproximate = true };
        var fromText = NftTextParser.Parse(text, "fw4-router.dump.nft", over);
        var fromJson = NftJsonParser.Parse(json, "fw4-router.dump.json", over);
        Assert.Contains("limit", Assert.Single(fromText.OverApproximations), StringComparison.Ordinal);
        Assert.Contains("limit", Assert.Single(fromJson.OverApproximations), StringComparison.Ordinal);
        Assert.Equal(NftKernel.Canonical(fromText), NftKernel.Canonical(fromJson));
        var chains = fromJson.Tables.Single().Chains;
        Assert.All(chains["mangle_forward"].Rules, r => Assert.Equal(new NoOpStatement("tcp option maxseg size set"), Assert.Single(r.Statements)));
        Assert.Equal(2, chains["mangle_forward"].Rules.Count);
        var helper = Assert.Single(chains["helper_lan"].Rules);
        Assert.Equal(new NoOpStatement("ct helper set ftp") { TakesConntrack = true }, Assert.Single(helper.Statements));
        Assert.True(NatVerify.Model.Semantics.ConntrackUse.Enables(helper));
        EveryJsonRuleIsInTheModelOrAnIpv6Skip(json, fromJson);
    }

    // Nothing silently lost: every rule object of the JSON listing is the source of some model rule (a vmap or numgen
    // rule of several), or one of the IPv6-only rules the reader skips with a note.
    private static void EveryJsonRuleIsInTheModelOrAnIpv6Skip(string json, NatRuleset ruleset)
    {
        var rules = System.Text.Json.Nodes.JsonNode.Parse(json)!["nftables"]!.AsArray().Count(o => o!.AsObject().ContainsKey("rule"));
        var modelled = ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules).Select(r => r.Location!.JsonIndex!.Value).Distinct().Count();
        var skipped = ruleset.OtherTables.Count(n => n.EndsWith("rule matches only IPv6 packets; skipped", StringComparison.Ordinal));
        Assert.Equal(rules, modelled + skipped);
    }

    [Fact]
    public void Nft_helper_that_reads_first_packets_is_a_located_error()
    {
        const string text = """
            table inet t {
            	ct helper tftp {
            		type "tftp" protocol udp
            		l3proto inet
            	}
            	chain c {
            		type filter hook prerouting priority filter; policy accept;
            		udp dport 69 ct helper set "tftp"
            	}
            }
            """;
        var e = Assert.Throws<SpecException>(() => NftTextParser.Parse(text, "h.nft"));
        Assert.Contains("ct helper set \"tftp\" (type tftp, protocol udp) is not modelled", e.Detail, StringComparison.Ordinal);
        Assert.Equal(8, e.Line);
    }

    [Fact]
    public void Fw4_dump_orders_base_chains_by_hook_then_priority()
    {
        var r = NftJsonParser.Parse(File.ReadAllText(Path.Combine(Dir(), "fw4-router.dump.json")), "fw4.json", new NftParseOptions { OverApproximate = true });
        var pre = r.BaseChains.Where(b => b.Hook == NetfilterHook.PreRouting).Select(b => b.Chain).ToList();
        Assert.Equal(["raw_prerouting", "mangle_prerouting", "dstnat", "prerouting"], pre);
        Assert.Contains(r.BaseChains, b => b.Chain == "input" && b.PolicyDrop);
    }

    private static string Dir([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");
}
