using NatVerify.Model.Nat;
using NatVerify.Specs.Nft;

namespace NatVerify.Specs.Tests.Nft;

/// <summary>Every nft input the readers refuse is a <see cref="SpecException"/> naming the construct at its file, line and column.</summary>
public sealed class NftErrorTests
{
    private const string Head = "table ip t {\n\tchain c {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n";

    private static SpecException Text(string body, int line, int column, string detail) =>
        SpecAssert.Fails(() => NftTextParser.Parse(Head + body + "\t}\n}\n", "r.nft"), line, column, detail);

    [Fact]
    public void Unmodelled_statement_is_named_at_its_token() =>
        Text("\t\tip daddr 192.0.2.1 limit rate 10/second accept\n", 4, 22, "nft statement 'limit' is not modelled");

    [Fact]
    public void Unmodelled_header_field_is_named_at_the_rule() =>
        Text("\t\tip ttl 5 accept\n", 4, 3, "match on 'ip ttl' is not modelled");

    [Fact]
    public void Unknown_expression_keyword_is_named_at_its_token() =>
        Text("\t\tfoo bar accept\n", 4, 3, "nft statement 'foo' is not modelled");

    [Fact]
    public void Undeclared_set_and_chain_are_errors()
    {
        Text("\t\tip daddr @nope accept\n", 4, 3, "set or map '@nope' is not declared in table ip t");
        Text("\t\tjump nowhere\n", 4, 3, "jump/goto to chain 'nowhere', which table ip t does not declare");
    }

    [Fact]
    public void Unknown_priority_name_and_unterminated_string_are_located()
    {
        SpecAssert.Fails(() => NftTextParser.Parse("table ip t {\n\tchain c {\n\t\ttype nat hook prerouting priority foo; policy accept;\n\t}\n}\n", "r.nft"), 2, 2, "priority 'foo': unknown name");
        Text("\t\tiifname \"eth0 accept\n", 4, 11, "unterminated quoted string");
    }

    /// <summary>nft itself refuses these (checked against nft 1.x in a private namespace): ports need a positive transport-protocol match first.</summary>
    [Fact]
    public void Nat_ports_without_a_transport_protocol_match_are_refused_as_nft_refuses_them()
    {
        Text("\t\tdnat to 192.0.2.1:8080\n", 4, 3, "dnat with ports needs a transport protocol match before it");
        Text("\t\tmeta l4proto != tcp redirect to :8080\n", 4, 3, "redirect with ports needs a transport protocol match before it");
        Text("\t\tth dport 80 redirect to :8080\n", 4, 3, "redirect with ports needs a transport protocol match before it");
        foreach (var ok in new[] { "tcp dport 80 dnat to 192.0.2.1:8080", "meta l4proto { tcp, udp } redirect to :8080", "ip protocol udp dnat to 192.0.2.1:53", "dnat to 192.0.2.1" })
        {
            var r = NftTextParser.Parse(Head + "\t\t" + ok + "\n\t}\n}\n", "r.nft");
            Assert.Single(r.Tables[0].Chains["c"].Rules);
        }
    }

    [Fact]
    public void Match_after_a_mark_statement_is_refused_because_order_matters() =>
        Text("\t\tmeta mark set 0x1 ip daddr 192.0.2.1 accept\n", 4, 3, "a match after a mark/notrack statement");

    [Fact]
    public void Unmodelled_construct_becomes_a_listed_over_approximation_on_request()
    {
        var r = NftTextParser.Parse(Head + "\t\tip ttl 5 accept\n\t}\n}\n", "r.nft", new NftParseOptions { OverApproximate = true });
        var rule = r.Tables[0].Chains["c"].Rules.Single();
        var term = Assert.IsType<UnmodelledTerm>(rule.Match.Terms.Single());
        Assert.Equal(4, term.Location.Line);
        Assert.Contains("r.nft:4:3: match on 'ip ttl'", Assert.Single(r.OverApproximations), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_syntax_error_depth_limit_and_shape_are_located()
    {
        SpecAssert.Fails(() => NftJsonParser.Parse("{\"nftables\": [\n  {\"table\": }\n]}", "r.json"), 2, 13, "invalid JSON");
        var deep = "{\"nftables\": [" + new string('[', 100) + new string(']', 100) + "]}";
        SpecAssert.Fails(() => NftJsonParser.Parse(deep, "r.json"), 1, 77, "maximum configured depth of 64");
        SpecAssert.Fails(() => NftJsonParser.Parse("[1]", "r.json"), 1, 1, "expected a JSON object with an 'nftables' array");
    }

    [Fact]
    public void Json_iptables_nft_compat_expression_is_an_error_pointing_at_its_object()
    {
        const string json = "{\"nftables\": [\n{\"table\": {\"family\": \"ip\", \"name\": \"nat\", \"handle\": 1}},\n"
            + "{\"chain\": {\"family\": \"ip\", \"table\": \"nat\", \"name\": \"POSTROUTING\", \"handle\": 1, \"type\": \"nat\", \"hook\": \"postrouting\", \"prio\": 100, \"policy\": \"accept\"}},\n"
            + "{\"rule\": {\"family\": \"ip\", \"table\": \"nat\", \"chain\": \"POSTROUTING\", \"handle\": 2, \"expr\": [{\"xt\": {\"type\": \"target\", \"name\": \"MASQUERADE\"}}]}}\n]}";
        var ex = SpecAssert.Fails(() => NftJsonParser.Parse(json, "r.json"), 4, 1, "iptables-nft compat expression 'xt target MASQUERADE'");
        Assert.Contains("iptables-nft-save", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_takes_an_inline_nft_ruleset_and_locates_its_errors_in_the_spec()
    {
        const string ok = "name: x\ndescription: d\nruleset: |\n  table ip t {\n    chain c {\n      type nat hook postrouting priority srcnat; policy accept;\n      masquerade\n    }\n  }\nactors:\n  - name: a\n    flow: 10.0.0.1:1 -> 10.0.0.2:2\n";
        var spec = SpecLoader.Parse(ok, "s.yaml");
        Assert.Equal("nft ip t", spec.Model.Ruleset.Tables.Single().Key);
        Assert.IsType<MasqueradeTarget>(spec.Model.Ruleset.Tables[0].Chains["c"].Rules.Single().Target);
        Assert.Equal(7, spec.Model.Ruleset.Tables[0].Chains["c"].Rules[0].Location!.Line);
        SpecAssert.Fails(() => SpecLoader.Parse(ok.Replace("      masquerade\n", "      masquerade\n      quota 10 mbytes\n", StringComparison.Ordinal), "s.yaml"), 8, 7, "nft statement 'quota' is not modelled");
    }

    [Fact]
    public void Format_is_detected_from_content()
    {
        Assert.Equal(RulesetFormat.IptablesSave, RulesetReader.Detect("# Generated by iptables-save\n*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"));
        Assert.Equal(RulesetFormat.Nft, RulesetReader.Detect("\n# comment\ntable inet x {\n}\n"));
        Assert.Equal(RulesetFormat.NftJson, RulesetReader.Detect("  {\"nftables\": []}"));
        Assert.Equal(RulesetFormat.IptablesSave, RulesetReader.Detect(string.Empty));
    }

    [Fact]
    public void An_nft_file_starting_with_define_or_add_is_nft_text_in_specs_as_in_policy()
    {
        // The spec reader and `natverify policy` share one detection: before, a spec's ruleset starting with `define`
        // or `add chain` went to the iptables-save parser.
        Assert.Equal(RulesetFormat.Nft, RulesetReader.Detect("define LAN = 192.0.2.0/24\ntable ip nat {\n}\n"));
        Assert.Equal(RulesetFormat.Nft, RulesetReader.Detect("add chain ip nat post\n"));
        Assert.Equal(RulesetFormat.NftJson, RulesetReader.Detect("[]"));
        Assert.Equal(RulesetFormat.IptablesSave, RulesetReader.Detect("-A POSTROUTING -j MASQUERADE\n"));
        Assert.Null(RulesetReader.TryDetect("-A POSTROUTING -j MASQUERADE\n"));
    }
}
