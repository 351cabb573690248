using NatVerify.Smt.Bmc;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Smt.Tests;

/// <summary>The optional 'symbolic' key that prove --bmc reads, parsed apart from SpecLoader.</summary>
public sealed class SymbolicSpecTests
{
    private static string Spec(string symbolic, string tail = "") => $$"""
        name: sym
        description: test
        {{symbolic}}
        actors:
          - name: client
            flow: 198.51.100.1:12345 -> 198.51.100.2:80
          - name: insert
            conntrack: -I -p udp -s 198.51.100.9 -d 198.51.100.2 --sport 1 --dport 2
        {{tail}}
        """;

    [Fact]
    public void A_list_of_fields_is_read_and_the_rest_goes_to_the_spec_loader()
    {
        var (spec, symbolic) = SymbolicSpec.Parse(Spec("symbolic:\n  - client.sport\n  - insert.reply-dport in 1024-2047\n  - client.src in 198.51.100.0/24"), "t.yaml");
        Assert.Equal("sym", spec.Name);
        Assert.Equal(["client.sport", "insert.reply-dport", "client.src"], symbolic.Fields.Select(f => $"{f.Actor}.{f.Field}"));
        Assert.Equal((1024UL, 2047UL), (symbolic.Fields[1].Min, symbolic.Fields[1].Max));
        Assert.Equal((0xc6336400UL, 0xc63364ffUL), (symbolic.Fields[2].Min, symbolic.Fields[2].Max));
    }

    [Fact]
    public void A_mapping_groups_ports_and_addresses()
    {
        var (_, symbolic) = SymbolicSpec.Parse(Spec("symbolic: { ports: [client.sport, client.dport], addresses: [client.dst] }"), "t.yaml");
        Assert.Equal(3, symbolic.Fields.Count);
        Assert.True(symbolic.Fields[0].IsPort);
        Assert.False(symbolic.Fields[2].IsPort);
    }

    [Fact]
    public void Without_the_key_the_spec_is_parsed_unchanged()
    {
        var (spec, symbolic) = Support.Seed("race-thief");
        Assert.Empty(symbolic.Fields);
        Assert.Equal(spec.Name, SpecLoader.LoadFile(Path.Combine(Support.SeedDir, "race-thief.yaml")).Name);
    }

    [Fact]
    public void Errors_after_the_key_keep_their_line_numbers()
    {
        var text = Spec("symbolic:\n  - client.sport\n  - client.dport", "schedule: sometimes");
        var e = Assert.Throws<SpecException>(() => SymbolicSpec.Parse(text, "t.yaml"));
        var line = text.Split('\n').ToList().FindIndex(l => l.StartsWith("schedule", StringComparison.Ordinal)) + 1;
        Assert.Equal(line, e.Line);
    }

    [Theory]
    [InlineData("symbolic: [client.port]", "unknown field 'port'", 3)]
    [InlineData("symbolic: [nobody.sport]", "no actor 'nobody'", 3)]
    [InlineData("symbolic: [client.sport, client.sport]", "listed twice", 3)]
    [InlineData("symbolic: [client.reply-sport]", "is a flow", 3)]
    [InlineData("symbolic: [client.sport in 9-3]", "not a port range", 3)]
    [InlineData("symbolic: [client.src in 300.1.1.1/8]", "not an address", 3)]
    [InlineData("symbolic: { ports: [client.src] }", "is an address", 3)]
    [InlineData("symbolic: { hosts: [client.src] }", "unknown key 'hosts'", 3)]
    [InlineData("symbolic: client.sport", "must be a list", 3)]
    public void Bad_fields_are_reported_at_their_line(string symbolic, string message, int line)
    {
        var e = Assert.Throws<SpecException>(() => SymbolicSpec.Parse(Spec(symbolic), "t.yaml"));
        Assert.Contains(message, e.Detail, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"t.yaml:{line}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_line_fields_are_validated_against_the_scenario()
    {
        var (spec, symbolic) = Support.Seed("race-thief");
        Assert.Equal(2, symbolic.With(spec.Model, ["client.sport", "thief.sport in 1024-65535"]).Fields.Count);
        Assert.Contains("no actor", Assert.Throws<ArgumentException>(() => symbolic.With(spec.Model, ["ghost.sport"])).Message, StringComparison.Ordinal);
    }
}
