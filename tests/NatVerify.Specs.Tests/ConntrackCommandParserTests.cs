using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;

namespace NatVerify.Specs.Tests;

public class ConntrackCommandParserTests
{
    private const string SeedInsert =
        "-I --protonum 6 --timeout 100 --reply-src 198.51.100.2 --reply-dst 198.51.100.1 --state SYN_SENT "
        + "--reply-port-dst 12345 --reply-port-src 80 --src 192.0.2.1 --dst 198.51.100.2";

    private static Actor Parse(string command) => ConntrackCommandParser.Parse("a", command, "spec.yaml", 1, 1);

    private static ConntrackTuple Tcp(string src, int sport, string dst, int dport) =>
        new(L4Protocol.Tcp, Ipv4.Parse(src), Port.Of(sport), Ipv4.Parse(dst), Port.Of(dport));

    private static void Fails(string command, int column, string detail) =>
        SpecAssert.Fails(() => Parse(command), 1, column, detail);

    [Fact]
    public void Seed_insert_leaves_missing_original_ports_at_zero_as_conntrack_tools_does()
    {
        var insert = Assert.IsType<CtnetlinkInsert>(ConntrackCommandParser.Parse("insert", SeedInsert, "spec.yaml", 7, 16));

        Assert.Equal("insert", insert.Name);
        Assert.Equal(Tcp("192.0.2.1", 0, "198.51.100.2", 0), insert.Original);
        Assert.Equal(Tcp("198.51.100.2", 80, "198.51.100.1", 12345), insert.Reply);
        Assert.Equal(SeedInsert, insert.Command);
    }

    [Fact]
    public void Insert_with_only_the_original_tuple_inverts_it_for_the_reply()
    {
        var insert = Assert.IsType<CtnetlinkInsert>(
            Parse("conntrack -I -p udp -s 10.0.0.1 -d 10.0.0.2 --sport 5000 --dport 53 -t 30"));

        var original = new ConntrackTuple(L4Protocol.Udp, Ipv4.Parse("10.0.0.1"), Port.Of(5000), Ipv4.Parse("10.0.0.2"), Port.Of(53));
        Assert.Equal(original, insert.Original);
        Assert.Equal(original.Invert(), insert.Reply);
    }

    [Fact]
    public void Insert_with_only_the_reply_tuple_inverts_it_for_the_original()
    {
        var insert = Assert.IsType<CtnetlinkInsert>(
            Parse("--create --protonum=tcp -r 10.0.0.2 -q 10.0.0.1 --reply-port-src 80 --reply-port-dst 4000"));

        Assert.Equal(Tcp("10.0.0.2", 80, "10.0.0.1", 4000), insert.Reply);
        Assert.Equal(Tcp("10.0.0.1", 4000, "10.0.0.2", 80), insert.Original);
    }

    [Fact]
    public void Insert_with_both_tuples_keeps_them_as_given()
    {
        var insert = Assert.IsType<CtnetlinkInsert>(
            Parse("-I -p tcp -s 192.0.2.1 -d 198.51.100.2 --sport 1 --dport 80 -r 198.51.100.2 -q 198.51.100.1 --reply-port-src 80 --reply-port-dst 2"));

        Assert.Equal(Tcp("192.0.2.1", 1, "198.51.100.2", 80), insert.Original);
        Assert.Equal(Tcp("198.51.100.2", 80, "198.51.100.1", 2), insert.Reply);
    }

    [Fact]
    public void Icmp_insert_uses_the_id_and_echo_types()
    {
        var insert = Assert.IsType<CtnetlinkInsert>(
            Parse("-I -p icmp -s 10.0.0.1 -d 10.0.0.2 --icmp-type 8 --icmp-code 0 --icmp-id 7 -u ASSURED,SEEN_REPLY --mark 0x1 --zone 0"));

        var original = new ConntrackTuple(L4Protocol.Icmp, Ipv4.Parse("10.0.0.1"), Port.Of(7), Ipv4.Parse("10.0.0.2"), ConntrackTuple.IcmpEchoRequest);
        Assert.Equal(original, insert.Original);
        Assert.Equal(
            new ConntrackTuple(L4Protocol.Icmp, Ipv4.Parse("10.0.0.2"), Port.Of(7), Ipv4.Parse("10.0.0.1"), ConntrackTuple.IcmpEchoReply),
            insert.Reply);
    }

    [Fact]
    public void Delete_builds_a_partial_filter()
    {
        var delete = Assert.IsType<CtnetlinkDelete>(Parse("-D -p tcp --orig-src 192.0.2.1"));

        Assert.Equal(L4Protocol.Tcp, delete.Filter.Protocol);
        Assert.Equal(new PartialTuple { SrcIp = Ipv4.Parse("192.0.2.1") }, delete.Filter.Original);
        Assert.Equal(new PartialTuple(), delete.Filter.Reply);
        Assert.Equal("-D -p tcp --orig-src 192.0.2.1", delete.Command);
    }

    [Fact]
    public void Delete_filters_on_reply_fields_and_ports()
    {
        var delete = Assert.IsType<CtnetlinkDelete>(
            Parse("conntrack --delete -p udp -d 10.0.0.9 --dport 53 -r 10.0.0.9 -q 10.0.0.1 --reply-port-src 53 --reply-port-dst 4000"));

        Assert.Equal(new PartialTuple { DstIp = Ipv4.Parse("10.0.0.9"), DstPort = 53 }, delete.Filter.Original);
        Assert.Equal(
            new PartialTuple { SrcIp = Ipv4.Parse("10.0.0.9"), DstIp = Ipv4.Parse("10.0.0.1"), SrcPort = 53, DstPort = 4000 },
            delete.Filter.Reply);
    }

    [Fact]
    public void Delete_without_options_matches_everything()
    {
        var delete = Assert.IsType<CtnetlinkDelete>(Parse("-D"));

        Assert.Null(delete.Filter.Protocol);
        Assert.True(delete.Filter.Matches(Tcp("1.1.1.1", 1, "2.2.2.2", 2), Tcp("2.2.2.2", 2, "1.1.1.1", 1)));
    }

    [Fact]
    public void Delete_filter_on_icmp_id_constrains_the_original_id()
    {
        var delete = Assert.IsType<CtnetlinkDelete>(Parse("-D -p icmp --icmp-id 9"));

        Assert.Equal(new PartialTuple { SrcPort = 9 }, delete.Filter.Original);
    }

    [Fact]
    public void Other_commands_are_not_modelled()
    {
        Fails("-L -p tcp", 1, "conntrack -L: only -I and -D are modelled");
        Fails("-p tcp --flush", 8, "conntrack --flush: only -I and -D are modelled");
    }

    [Fact]
    public void Missing_command_is_an_error()
    {
        Fails("conntrack -p tcp -s 1.2.3.4", 11, "no conntrack command");
        Fails("-I -D", 4, "only one command per line");
    }

    [Fact]
    public void Nat_options_and_other_zones_are_not_modelled()
    {
        Fails("-I -p tcp --src-nat 1.2.3.4", 11, "--src-nat is not modelled");
        Fails("-D --zone 1", 11, "--zone 1 is not modelled");
        Fails("-D -f ipv6", 7, "family ipv6 is not modelled");
        Fails("-D --mark 1", 4, "conntrack -D --mark is not modelled");
    }

    [Fact]
    public void Missing_port_with_both_tuples_given_is_zero()
    {
        var insert = Assert.IsType<CtnetlinkInsert>(Parse("-I -p tcp -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 --sport 5"));
        Assert.Equal(Tcp("1.1.1.1", 5, "2.2.2.2", 0), insert.Original);
        Assert.Equal(Tcp("2.2.2.2", 0, "1.1.1.1", 0), insert.Reply);
    }

    [Fact]
    public void Missing_address_with_both_tuples_is_an_error()
    {
        Fails("-I -p tcp -s 1.1.1.1 --sport 1 --dport 2 -r 2.2.2.2 -q 1.1.1.1", 1, "-I is missing --dst (-d)");
    }

    [Fact]
    public void Insert_needs_protocol_and_a_tuple()
    {
        Fails("-I -s 1.1.1.1 -d 2.2.2.2", 1, "-I needs -p (--protonum)");
        Fails("-I -p tcp -t 10", 1, "-I needs the original tuple");
        Fails("-I -p tcp -s 1.1.1.1 -d 2.2.2.2 --sport 1", 1, "-I is missing --dport (--orig-port-dst)");
        Fails("-I -p icmp -s 1.1.1.1 -d 2.2.2.2", 1, "-I is missing --icmp-id");
    }

    [Fact]
    public void Bad_values_are_reported_at_the_value()
    {
        Fails("-I -p tcp -s 1.1.1 -d 2.2.2.2", 14, "bad IPv4 address '1.1.1' for -s");
        Fails("-I -p tcp --sport 99999", 19, "bad value '99999' for --sport");
        Fails("-I -p gre", 7, "protocol gre is not modelled");
        Fails("-I -p icmp --icmp-type 0", 24, "--icmp-type 0 is not modelled");
        Fails("-I -p tcp --state BOGUS", 19, "unknown TCP state 'BOGUS'");
    }

    [Fact]
    public void Protocol_specific_options_need_their_protocol()
    {
        Fails("-D --sport 80", 4, "--sport needs -p tcp or -p udp");
        Fails("-D -p tcp --icmp-id 3", 11, "--icmp-id needs -p icmp");
        Fails("-I -p udp --state SYN_SENT -s 1.1.1.1 -d 2.2.2.2 --sport 1 --dport 2", 11, "--state needs -p tcp");
    }

    [Fact]
    public void Unknown_repeated_or_dangling_options_are_errors()
    {
        Fails("-D --bogus 1", 4, "unknown or unmodelled conntrack option --bogus");
        Fails("-D -s 1.1.1.1 --orig-src 1.1.1.1", 15, "--orig-src given twice");
        Fails("-D -s", 4, "option -s needs an argument");
        Fails("-D 1.2.3.4", 4, "unexpected argument '1.2.3.4'");
    }

    [Fact]
    public void Errors_are_located_relative_to_the_command_start()
    {
        SpecAssert.Fails(() => ConntrackCommandParser.Parse("a", "-D --bogus", "spec.yaml", 12, 16), 12, 19, "--bogus");
    }
}
