using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;

namespace NatVerify.Specs.Tests;

/// <summary>
/// Flows of portless protocols (GRE without the PPTP helper, any protocol the generic tracker keys by addresses only)
/// and ICMP echo id ranges in SNAT/DNAT targets, as the spec reader reads them.
/// </summary>
public class PortlessFlowSpecTests
{
    private const string Head = "name: x\ndescription: d\n";

    private static SpecException Fails(string yaml, int line, int column, string detail) =>
        SpecAssert.Fails(() => SpecLoader.Parse(yaml, "bad.yaml"), line, column, detail);

    [Theory]
    [InlineData("gre", 47)]
    [InlineData("47", 47)]
    [InlineData("253", 253)]
    [InlineData("4", 4)]
    public void Portless_flow_is_written_without_ports_and_keyed_by_addresses_only(string proto, int number)
    {
        var spec = SpecLoader.Parse(Head + $"actors:\n  - name: g\n    flow: 198.51.100.1 -> 203.0.113.2\n    proto: {proto}\n", "ok.yaml");
        var flow = Assert.IsType<FlowActor>(spec.Model.Actors[0]);
        Assert.Equal((L4Protocol)number, flow.Original.Protocol);
        Assert.True(flow.Original.Protocol.IsPortless());
        Assert.Equal(0, flow.Original.SrcPort.Raw);
        Assert.Equal(0, flow.Original.DstPort.Raw);
    }

    [Fact]
    public void Portless_flow_with_a_port_is_an_error()
    {
        Fails(Head + "actors:\n  - name: g\n    flow: 198.51.100.1:5 -> 203.0.113.2\n    proto: gre\n", 5, 23, "gre flows have no ports: write 'SRC -> DST'");
    }

    [Theory]
    [InlineData("132", "tracked with ports (dccp, sctp, udplite)")]
    [InlineData("58", "an IPv6 header or ICMPv6")]
    [InlineData("256", "known: tcp, udp, icmp, gre, or a protocol number 0-255")]
    public void Protocols_the_model_cannot_track_as_portless_are_refused(string proto, string why)
    {
        Fails(Head + $"actors:\n  - name: g\n    flow: 198.51.100.1 -> 203.0.113.2\n    proto: {proto}\n", 6, 12, why);
    }

    [Fact]
    public void Icmp_snat_and_dnat_take_an_echo_id_range()
    {
        var spec = SpecLoader.Parse(
            Head + "ruleset: |\n  *nat\n  :OUTPUT ACCEPT [0:0]\n  :POSTROUTING ACCEPT [0:0]\n"
            + "  -A OUTPUT -d 198.51.100.9/32 -p icmp -j DNAT --to-destination 203.0.113.2:200-203\n"
            + "  -A POSTROUTING -p icmp -j SNAT --to-source 198.51.100.1:100-101\n  COMMIT\n"
            + "actors:\n  - name: p\n    flow: 198.51.100.1 -> 198.51.100.9\n    proto: icmp\n    icmp-id: 7\n",
            "ok.yaml");
        var dnat = Assert.IsType<DnatTarget>(spec.Model.Ruleset.Chains["OUTPUT"].Rules[0].Target);
        var snat = Assert.IsType<SnatTarget>(spec.Model.Ruleset.Chains["POSTROUTING"].Rules[0].Target);
        Assert.Equal((200, 203), (dnat.Range.MinProto, dnat.Range.MaxProto));
        Assert.Equal((100, 101), (snat.Range.MinProto, snat.Range.MaxProto));
        Assert.True(snat.Range.ProtoSpecified);
    }
}
