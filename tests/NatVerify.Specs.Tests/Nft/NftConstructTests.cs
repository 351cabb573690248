using NatVerify.Model.Nat;
using NatVerify.Specs.Nft;

namespace NatVerify.Specs.Tests.Nft;

/// <summary>
/// For each nft construct: load a source into real netfilter (private namespace), dump it with <c>nft list ruleset</c>
/// and <c>nft -j list ruleset</c>, parse both dumps and check (a) the parsed rule lowers to the expected terms,
/// statements and target and (b) the text and JSON readers give the same model apart from locations.
/// </summary>
public sealed class NftConstructTests
{
    private const string Pre = "table ip t {\n chain c {\n  type nat hook prerouting priority dstnat; policy accept;\n";
    private const string Post = "table ip t {\n chain c {\n  type nat hook postrouting priority srcnat; policy accept;\n";
    private const string Helpers = " chain a {\n }\n chain b {\n }\n";

    public static TheoryData<string, string, string> Constructs => new()
    {
        { "ip saddr prefix", Pre + "  ip saddr 192.0.2.0/24 accept\n }\n}\n", "SrcAddr={3221225984-3221226239} => accept" },
        { "ip daddr != range", Pre + "  ip daddr != 198.51.100.5-198.51.100.9 accept\n }\n}\n", "!DstAddr={3325256709-3325256713} => accept" },
        { "ip daddr anonymous set", Pre + "  ip daddr { 192.0.2.1, 203.0.113.0/30 } accept\n }\n}\n", "DstAddr={3221225985,3405803776-3405803779} => accept" },
        { "ip protocol", Pre + "  ip protocol udp accept\n }\n}\n", "L4Proto={17} => accept" },
        { "meta l4proto", Pre + "  meta l4proto tcp accept\n }\n}\n", "L4Proto={6} => accept" },
        { "tcp dport set", Pre + "  tcp dport { 80, 443, 8000-8080 } accept\n }\n}\n", "L4Proto={6} DstPort={80,443,8000-8080} => accept" },
        { "udp sport", Pre + "  udp sport 53 accept\n }\n}\n", "L4Proto={17} SrcPort={53} => accept" },
        { "th dport", Pre + "  meta l4proto udp th dport 1000-2000 accept\n }\n}\n", "L4Proto={17} DstPort={1000-2000} => accept" },
        { "port comparison", Pre + "  tcp dport >= 1024 accept\n }\n}\n", "L4Proto={6} DstPort={1024-65535} => accept" },
        { "icmp type", Pre + "  icmp type echo-request accept\n }\n}\n", "L4Proto={1} IcmpType={8} => accept" },
        { "tcp flags masked", Pre + "  tcp flags syn / syn,ack accept\n }\n}\n", "L4Proto={6} TcpFlags&0x12={2} => accept" },
        { "iifname wildcard", Pre + "  iifname \"eth*\" accept\n }\n}\n", "in=eth* => accept" },
        { "iifname set", Pre + "  iifname { \"lo\", \"veth0\" } accept\n }\n}\n", "in=lo,veth0 => accept" },
        { "oif", Post + "  oif \"lo\" accept\n }\n}\n", "out=lo => accept" },
        { "meta mark masked", Pre + "  meta mark & 0x4000 == 0 return\n }\n}\n", "Mark&0x4000={0} => return" },
        { "ct mark", Pre + "  ct mark 0x5 accept\n }\n}\n", "CtMark={5} => accept" },
        { "ct state", Pre + "  ct state established,related accept\n }\n}\n", "CtState&0x6={1-6} => accept" },
        { "ct state new", Pre + "  ct state new accept\n }\n}\n", "CtState&0x8={1-8} => accept" },
        { "ct status", Pre + "  ct status dnat accept\n }\n}\n", "CtStatus&0x20={1-32} => accept" },
        { "ct direction", Pre + "  ct direction original accept\n }\n}\n", "CtDirection={0} => accept" },
        { "fib daddr type local", Pre + "  fib daddr type local accept\n }\n}\n", "fib-d=Local => accept" },
        { "fib saddr . iif", Pre + "  fib saddr . iif type != local accept\n }\n}\n", "!fib-s=Local.iif => accept" },
        { "concatenation with named set", "table ip t {\n set s {\n  type ipv4_addr . inet_proto . inet_service\n  elements = { 192.0.2.1 . tcp . 80 }\n }\n chain c {\n  type nat hook prerouting priority dstnat;\n  ip daddr . meta l4proto . th dport @s accept\n }\n}\n", "(DstAddr.L4Proto.DstPort)∈{3221225985.6.80} => accept" },
        { "interval set", "table ip t {\n set s {\n  type ipv4_addr\n  flags interval\n  elements = { 192.0.2.0/25, 203.0.113.7-203.0.113.9 }\n }\n chain c {\n  type nat hook prerouting priority dstnat;\n  ip saddr @s accept\n }\n}\n", "SrcAddr={3221225984-3221226111,3405803783-3405803785} => accept" },
        { "numgen random vmap", Pre + "  numgen random mod 2 vmap { 0 : jump a, 1 : goto b }\n }\n" + Helpers + "}\n", "Random(mod 2 off 0 seed 0 [])={0} => jump a\n  => goto b" },
        { "numgen inc offset", Pre + "  numgen inc mod 3 offset 5 5 accept\n }\n}\n", "Counter(mod 3 off 5 seed 0 [])={5} => accept" },
        { "jhash", Pre + "  jhash ip saddr . tcp sport mod 4 seed 0x1 offset 2 2-3 accept\n }\n}\n", "L4Proto={6} JHash(mod 4 off 2 seed 1 [SrcAddr.SrcPort])={2-3} => accept" },
        { "vmap on tcp dport", Pre + "  tcp dport vmap { 80 : jump a, 443 : accept }\n }\n" + Helpers + "}\n", "L4Proto={6} DstPort={80} => jump a\n  L4Proto={6} DstPort={443} => accept" },
        { "named verdict map", "table ip t {\n map m {\n  type ipv4_addr : verdict\n  elements = { 192.0.2.1 : jump a }\n }\n chain c {\n  type nat hook prerouting priority dstnat;\n  ip daddr vmap @m\n }\n" + Helpers + "}\n", "DstAddr={3221225985} => jump a" },
        { "nat map", "table ip t {\n map m {\n  type ipv4_addr : ipv4_addr\n  flags interval\n  elements = { 198.51.100.0/28 : 192.0.2.1 }\n }\n chain c {\n  type nat hook prerouting priority dstnat;\n  dnat to ip daddr map @m\n }\n}\n", "DstAddr={3325256704-3325256719} => dnat 192.0.2.1" },
        { "dnat addr:port", Pre + "  tcp dport 80 dnat to 192.0.2.5:8080\n }\n}\n", "L4Proto={6} DstPort={80} => dnat 192.0.2.5:8080" },
        { "dnat ranges persistent", Pre + "  meta l4proto tcp dnat to 192.0.2.10-192.0.2.11:1000-2000 persistent\n }\n}\n", "L4Proto={6} => dnat 192.0.2.10-192.0.2.11:1000-2000 persistent" },
        { "snat flags", Post + "  snat to 198.51.100.1 random,persistent\n }\n}\n", "=> snat 198.51.100.1 random persistent" },
        { "masquerade port range fully-random", Post + "  meta l4proto tcp masquerade to :1024-2048 fully-random\n }\n}\n", "L4Proto={6} => masquerade 1024-2048 ProtoSpecified, ProtoRandomFully" },
        { "masquerade plain", Post + "  masquerade\n }\n}\n", "=> masquerade  None" },
        { "redirect", Pre + "  tcp dport 22 redirect to :2222\n }\n}\n", "L4Proto={6} DstPort={22} => redirect 2222 ProtoSpecified" },
        { "meta mark set bitwise", Pre + "  meta mark set meta mark & 0xffff00ff | 0x100\n }\n}\n", "| Mark=(Mark&0x0)^(Mark&0xffff00ff)^0x100 => continue" },
        { "meta mark set xor", Pre + "  meta mark set meta mark ^ 0x4000\n }\n}\n", "| Mark=(Mark&0x0)^(Mark&0xffffffff)^0x4000 => continue" },
        { "ct mark set", Pre + "  ct mark set 0x5\n }\n}\n", "| CtMark=(CtMark&0x0)^(None&0x0)^0x5 => continue" },
        { "ct mark set meta mark", Pre + "  ct mark set meta mark\n }\n}\n", "| CtMark=(CtMark&0x0)^(Mark&0xffffffff)^0x0 => continue" },
        { "notrack", "table ip t {\n chain c {\n  type filter hook prerouting priority raw;\n  udp dport 53 notrack\n }\n}\n", "L4Proto={17} DstPort={53} | notrack => continue" },
        { "counter log comment no-ops", Pre + "  counter log prefix \"x\" accept comment \"hi\"\n }\n}\n", "| counter log => accept" },
        { "jump goto return", Pre + "  jump a\n  goto b\n }\n chain a {\n  return\n }\n chain b {\n  drop\n }\n}\n", "=> jump a\n  => goto b\n chain a base=False\n  => return\n chain b base=False\n  => drop" },
        { "reject", "table inet f {\n chain i {\n  type filter hook input priority filter; policy drop;\n  tcp dport 22 reject with tcp reset\n }\n}\n", "L4Proto={6} DstPort={22} => reject" },
    };

    [NftTheory]
    [MemberData(nameof(Constructs))]
    public void Construct_loaded_into_netfilter_parses_the_same_from_text_and_json(string construct, string source, string expected)
    {
        var (text, json) = NftKernel.LoadAndDump(source);
        var fromText = NftTextParser.Parse(text, "dump.nft");
        var fromJson = NftJsonParser.Parse(json, "dump.json");
        var canonicalText = NftKernel.Canonical(fromText);
        Assert.Equal(canonicalText, NftKernel.Canonical(fromJson));
        Assert.True(canonicalText.Contains(expected, StringComparison.Ordinal), $"{construct}: expected\n{expected}\nin\n{canonicalText}\nfrom\n{text}");
        Assert.Empty(fromText.OverApproximations);
        Assert.All(fromText.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules), r => Assert.NotNull(r.Location));
    }

    [NftFact]
    public void Base_chains_keep_hook_named_priority_with_offset_and_policy()
    {
        var source = "table ip t {\n chain a {\n  type nat hook postrouting priority srcnat + 10; policy accept;\n }\n chain b {\n  type filter hook input priority filter - 5; policy drop;\n }\n"
            + " chain c {\n  type filter hook prerouting priority mangle;\n }\n chain d {\n  type filter hook forward priority security;\n }\n chain e {\n  type filter hook output priority -250;\n }\n}\n";
        var (text, json) = NftKernel.LoadAndDump(source);
        foreach (var r in new[] { NftTextParser.Parse(text, "t"), NftJsonParser.Parse(json, "j") })
        {
            Assert.True(r.NatTablePresent);
            Assert.Contains(r.BaseChains, b => b.Chain == "a" && b.Hook == NetfilterHook.PostRouting && b.Priority == 110 && b.Type == ChainType.Nat && !b.PolicyDrop);
            Assert.Contains(r.BaseChains, b => b.Chain == "b" && b.Hook == NetfilterHook.Input && b.Priority == -5 && b.PolicyDrop);
            Assert.Contains(r.BaseChains, b => b.Chain == "c" && b.Priority == -150);
            Assert.Contains(r.BaseChains, b => b.Chain == "d" && b.Hook == NetfilterHook.Forward && b.Priority == 50);
            Assert.Contains(r.BaseChains, b => b.Chain == "e" && b.Hook == NetfilterHook.Output && b.Priority == -250);
        }
    }

    [NftFact]
    public void Json_rules_carry_line_handle_and_array_index_and_text_rules_line_and_column()
    {
        var (text, json) = NftKernel.LoadAndDump(Pre + "  ip daddr 192.0.2.1 accept\n  drop\n }\n}\n");
        var jsonRules = NftJsonParser.Parse(json, "dump.json").Tables[0].Chains["c"].Rules;
        Assert.Equal(2, jsonRules.Count);
        Assert.NotNull(jsonRules[0].Location!.Handle);
        Assert.NotNull(jsonRules[0].Location!.JsonIndex);
        Assert.True(jsonRules[1].Location!.JsonIndex > jsonRules[0].Location!.JsonIndex);
        var textRules = NftTextParser.Parse(text, "dump.nft").Tables[0].Chains["c"].Rules;
        var lines = text.Split('\n');
        Assert.StartsWith("ip daddr 192.0.2.1 accept", lines[textRules[0].Location!.Line - 1][(textRules[0].Location!.Column - 1)..], StringComparison.Ordinal);
        Assert.Equal("drop", lines[textRules[1].Location!.Line - 1][(textRules[1].Location!.Column - 1)..].Trim());
    }

    [NftFact]
    public void Ip6_arp_and_bridge_tables_are_skipped_with_a_note_never_silently()
    {
        var source = "table ip6 six {\n chain c {\n  type filter hook input priority 0; policy drop;\n }\n}\ntable arp a {\n chain c {\n  type filter hook input priority 0;\n }\n}\n"
            + "table bridge br {\n chain c {\n  type filter hook forward priority 0;\n }\n}\n";
        var (text, json) = NftKernel.LoadAndDump(source);
        foreach (var r in new[] { NftTextParser.Parse(text, "t"), NftJsonParser.Parse(json, "j") })
        {
            Assert.Empty(r.Tables);
            Assert.Contains(r.OtherTables, n => n.StartsWith("table ip6 six: skipped", StringComparison.Ordinal));
            Assert.Contains(r.OtherTables, n => n.StartsWith("table arp a: skipped", StringComparison.Ordinal));
            Assert.Contains(r.OtherTables, n => n.StartsWith("table bridge br: skipped", StringComparison.Ordinal));
        }
    }

    [NftFact]
    public void Netdev_ingress_chain_is_a_located_error_because_it_sees_ipv4_packets()
    {
        var (text, json) = NftKernel.LoadAndDump("table netdev n {\n chain c {\n  type filter hook ingress device \"lo\" priority 0;\n }\n}\n");
        var e1 = Assert.Throws<SpecException>(() => NftTextParser.Parse(text, "t"));
        var e2 = Assert.Throws<SpecException>(() => NftJsonParser.Parse(json, "j"));
        Assert.Contains("netdev base chain", e1.Detail, StringComparison.Ordinal);
        Assert.Contains("netdev base chain", e2.Detail, StringComparison.Ordinal);
    }

    [NftFact]
    public void Unmodelled_statement_is_a_located_error_or_a_listed_over_approximation_when_asked()
    {
        var (text, json) = NftKernel.LoadAndDump(Pre + "  ip daddr 192.0.2.1 limit rate 10/second accept\n }\n}\n");
        var e = Assert.Throws<SpecException>(() => NftTextParser.Parse(text, "dump.nft"));
        Assert.Contains("'limit'", e.Detail, StringComparison.Ordinal);
        Assert.Equal(4, e.Line);
        var ej = Assert.Throws<SpecException>(() => NftJsonParser.Parse(json, "dump.json"));
        Assert.Contains("'limit'", ej.Detail, StringComparison.Ordinal);
        var over = NftJsonParser.Parse(json, "dump.json", new NftParseOptions { OverApproximate = true });
        Assert.Single(over.OverApproximations);
        Assert.IsType<UnmodelledStatement>(Assert.Single(over.Tables[0].Chains["c"].Rules).Statements.Single());
        var overText = NftTextParser.Parse(text, "dump.nft", new NftParseOptions { OverApproximate = true });
        Assert.Single(overText.OverApproximations);
    }
}

/// <summary>
/// A host where iptables-nft created <c>table ip nat</c> and a native nft table hooks the same points: the text dump
/// shows nft's translation of the compat expressions and is read table by table, base chains ordered by hook then
/// priority as the kernel orders hook entries; the JSON dump keeps only the compat extension's name and is refused.
/// </summary>
public sealed class NftIptablesNftInterplayTests
{
    [NftFact(NeedsIptablesNft = true)]
    public void Iptables_nft_nat_table_and_native_table_are_read_together_in_priority_order()
    {
        var (text, json) = NftKernel.LoadAndDump(
            "table ip mine {\n chain post {\n  type nat hook postrouting priority srcnat + 10; policy accept;\n  ip saddr 192.0.2.0/24 snat to 198.51.100.1\n }\n}\n",
            [NftKernel.IptablesNftPath!, "-t", "nat", "-A", "POSTROUTING", "-s", "203.0.113.0/24", "-o", "lo", "-j", "MASQUERADE"]);
        var r = NftTextParser.Parse(text, "dump.nft");
        Assert.Equal(["nft ip nat", "nft ip mine"], r.Tables.Select(t => t.Key));
        Assert.Equal(["POSTROUTING", "post"], r.BaseChains.Where(b => b.Hook == NetfilterHook.PostRouting).Select(b => b.Chain));
        Assert.IsType<MasqueradeTarget>(r.Tables[0].Chains["POSTROUTING"].Rules.Single().Target);
        var ex = Assert.Throws<SpecException>(() => NftJsonParser.Parse(json, "dump.json"));
        Assert.Contains("xt target MASQUERADE", ex.Detail, StringComparison.Ordinal);
    }
}
