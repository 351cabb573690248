using Xunit;

namespace NatVerify.Fuzz.Tests;

/// <summary>Every input the fuzzer ever found to crash or hang a parser, kept: each now ends in a located error.</summary>
public sealed class FuzzRegressionTests
{
    [Fact]
    public void A_nft_ruleset_cut_off_inside_a_chain_is_a_located_error_not_an_endless_loop()
    {
        // Seed 1, input 125: the chain loop waited for a '}' that never came and parsed empty rules forever.
        const string text = "table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n" +
            "\t\tip saddr 192.168.1.0/24 oifname \"wan0\" meta l4proto { tcp, udp } masquerade to :61000-65000 random\n\t\tip saddr 192.168.1";
        // Bounded first, so that the old endless loop fails the test instead of hanging it.
        Assert.Equal("rejected", Fuzzer.Execute(FuzzTarget.NftText, text, TimeSpan.FromSeconds(20)));
        var e = Assert.Throws<Specs.SpecException>(() => Specs.RulesetReader.Parse(text, "cut.nft", Specs.RulesetFormat.Nft));
        Assert.Contains("unexpected end of input: the '}' closing the chain is missing", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("table ip nat {")]
    [InlineData("table ip nat {\n\tset s {\n\t\ttype ipv4_addr")]
    [InlineData("table ip nat {\n\tchain c {\n\t\tip saddr { 1.2.3.4, ")]
    public void Every_nft_block_cut_off_at_the_end_of_the_input_is_a_located_error(string text) =>
        Assert.Equal("rejected", Fuzzer.Execute(FuzzTarget.NftText, text, TimeSpan.FromSeconds(20)));

    [Fact]
    public void A_trace_text_with_a_lone_surrogate_is_a_located_trace_error()
    {
        // Seed 1, input 228: JsonDocument.Parse(string) threw ArgumentException while transcoding to UTF-8.
        var e = Assert.Throws<Traces.TraceFormatException>(() => Traces.TraceJson.Read("{\n  \"a\": \"x\uDD55\"\n}", "t.json"));
        Assert.Contains("2:10: not valid text: a lone UTF-16 surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_nft_nat_statement_with_an_empty_address_before_the_port_is_a_located_error()
    {
        // AFL harness, 2026-12-04: "masquerade to : 1000-65000" reached Constant("") and String.IndexOf('-', 1) threw
        // ArgumentOutOfRangeException, which RulesetReader used to disguise as bad input.
        const string text = "table ip nat {\n\tchain c {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tmasquerade to : 1000-65000\n\t}\n}\n";
        Assert.Equal("rejected", Fuzzer.Execute(FuzzTarget.NftText, text, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void An_nft_json_object_with_a_duplicate_key_is_a_located_error()
    {
        // AFL harness, 2026-12-04: a duplicate "handle" made JsonObject throw ArgumentException on the first lookup.
        const string text = "{\"nftables\": [{\"table\": {\"family\": \"ip\", \"name\": \"nat\", \"handle\": 1, \"handle\": 2}}]}";
        Assert.Equal("rejected", Fuzzer.Execute(FuzzTarget.NftJson, text, TimeSpan.FromSeconds(20)));
        var e = Assert.Throws<Specs.SpecException>(() => Specs.RulesetReader.Parse(text, "dup.nft.json", Specs.RulesetFormat.NftJson));
        Assert.Contains("dup.nft.json:1:", e.Message, StringComparison.Ordinal);
    }
}
