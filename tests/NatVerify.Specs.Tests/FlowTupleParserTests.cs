using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Specs.Tests;

public class FlowTupleParserTests
{
    [Fact]
    public void Tcp_flow_parses_addresses_and_ports()
    {
        var tuple = FlowTupleParser.Parse(L4Protocol.Tcp, "198.51.100.1:54321 -> 198.51.100.2:80", null, "s", 1, 1);

        Assert.Equal(
            new ConntrackTuple(L4Protocol.Tcp, Ipv4.Parse("198.51.100.1"), Port.Of(54321), Ipv4.Parse("198.51.100.2"), Port.Of(80)),
            tuple);
    }

    [Fact]
    public void Udp_flow_tolerates_tight_spacing()
    {
        var tuple = FlowTupleParser.Parse(L4Protocol.Udp, "10.0.0.1:53->10.0.0.2:5353", null, "s", 1, 1);

        Assert.Equal(L4Protocol.Udp, tuple.Protocol);
        Assert.Equal(Port.Of(5353), tuple.DstPort);
    }

    [Fact]
    public void Icmp_flow_uses_the_id_as_source_key_and_echo_request_as_destination_key()
    {
        var tuple = FlowTupleParser.Parse(L4Protocol.Icmp, "10.0.0.1 -> 10.0.0.2", 7, "s", 1, 1);

        Assert.Equal(
            new ConntrackTuple(L4Protocol.Icmp, Ipv4.Parse("10.0.0.1"), Port.Of(7), Ipv4.Parse("10.0.0.2"), ConntrackTuple.IcmpEchoRequest),
            tuple);
    }

    [Fact]
    public void Bad_port_is_reported_at_the_port()
    {
        SpecAssert.Fails(
            () => FlowTupleParser.Parse(L4Protocol.Tcp, "198.51.100.1:54321 -> 198.51.100.2:8o", null, "s", 4, 11),
            4, 11 + 35, "bad port '8o'");
    }

    [Fact]
    public void Bad_address_and_missing_parts_are_errors()
    {
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Tcp, "1.2.3:4 -> 1.2.3.4:5", null, "s", 1, 1), 1, 1, "bad IPv4 address '1.2.3'");
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Tcp, "1.2.3.4:4 1.2.3.4:5", null, "s", 1, 1), 1, 1, "expected 'SRC:PORT -> DST:PORT'");
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Tcp, "1.2.3.4:4 -> 1.2.3.4", null, "s", 1, 1), 1, 21, "missing port in '1.2.3.4'");
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Tcp, "1.2.3.4:4 -> ", null, "s", 1, 1), 1, 11, "missing destination");
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Tcp, "a -> b -> c", null, "s", 1, 1), 1, 8, "exactly one '->'");
    }

    [Fact]
    public void Icmp_flows_have_no_ports_and_need_an_id()
    {
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Icmp, "10.0.0.1:5 -> 10.0.0.2", 1, "s", 1, 1), 1, 9, "icmp flows have no ports");
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Icmp, "10.0.0.1 -> 10.0.0.2", null, "s", 1, 1), 1, 1, "needs an icmp-id");
        SpecAssert.Fails(() => FlowTupleParser.Parse(L4Protocol.Udp, "10.0.0.1:1 -> 10.0.0.2:2", 3, "s", 1, 1), 1, 1, "icmp-id is only valid for icmp flows");
    }
}
