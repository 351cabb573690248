using NatVerify.Model.Addressing;
using NatVerify.Oracle.Kernel;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>The conntrack -L reader, on lines the 6.18 kernel with conntrack-tools 1.4.7 printed in oracle runs.</summary>
public class ConntrackListParserTests
{
    [Fact]
    public void Tcp_entry_with_state_and_flags_yields_both_tuples()
    {
        const string line = "tcp      6 431999 ESTABLISHED src=198.51.100.1 dst=198.51.100.2 sport=12345 dport=80 src=198.51.100.2 dst=198.51.100.1 sport=80 dport=48895 [ASSURED] mark=200 use=1";
        Assert.True(ConntrackListParser.TryParseLine(line, out var entry));
        Assert.Equal("tcp 198.51.100.1:12345 -> 198.51.100.2:80", entry.Original.ToString());
        Assert.Equal("tcp 198.51.100.2:80 -> 198.51.100.1:48895", entry.Reply.ToString());
    }

    [Fact]
    public void Unreplied_flag_between_the_tuples_does_not_split_them_wrongly()
    {
        const string line = "tcp      6 99 SYN_SENT src=192.0.2.1 dst=198.51.100.2 sport=0 dport=0 [UNREPLIED] src=198.51.100.2 dst=198.51.100.1 sport=80 dport=12345 mark=0 use=1";
        Assert.True(ConntrackListParser.TryParseLine(line, out var entry));
        Assert.Equal(0, entry.Original.SrcPort.Raw);
        Assert.Equal(12345, entry.Reply.DstPort.Raw);
    }

    [Fact]
    public void Udp_entry_without_a_state_word_is_read()
    {
        const string line = "udp      17 29 src=198.51.100.1 dst=198.51.100.53 sport=5353 dport=53 [UNREPLIED] src=203.0.113.1 dst=198.51.100.1 sport=53 dport=5353 mark=0 use=2";
        Assert.True(ConntrackListParser.TryParseLine(line, out var entry));
        Assert.Equal(L4Protocol.Udp, entry.Original.Protocol);
        Assert.Equal("203.0.113.1", entry.Reply.SrcIp.ToString());
    }

    [Fact]
    public void Gre_version_0_entry_is_read_as_addresses_only()
    {
        const string line = "gre      47 27 src=192.0.2.1 dst=203.0.113.2 srckey=0x0 dstkey=0x0 [UNREPLIED] src=203.0.113.2 dst=198.51.100.1 srckey=0x0 dstkey=0x0 mark=0 use=1";
        Assert.True(ConntrackListParser.TryParseLine(line, out var entry));
        Assert.Equal("gre 192.0.2.1 -> 203.0.113.2", entry.Original.ToString());
        Assert.Equal("gre 203.0.113.2 -> 198.51.100.1", entry.Reply.ToString());
    }

    [Theory]
    [InlineData("unknown  253 599 src=198.51.100.1 dst=198.51.100.2 [UNREPLIED] src=198.51.100.2 dst=198.51.100.1 mark=0 use=1", true)]
    [InlineData("unknown  6 599 src=198.51.100.1 dst=198.51.100.2 [UNREPLIED] src=198.51.100.2 dst=198.51.100.1 mark=0 use=1", false)]
    [InlineData("gre      17 27 src=192.0.2.1 dst=203.0.113.2 src=203.0.113.2 dst=198.51.100.1 mark=0 use=1", false)]
    public void Generic_tracker_lines_are_read_only_when_name_and_number_agree(string line, bool readable)
    {
        Assert.Equal(readable, ConntrackListParser.TryParseLine(line, out _));
    }

    [Fact]
    public void Icmp_entry_keeps_the_id_as_port_and_type_code_as_destination()
    {
        const string line = "icmp     1 29 src=198.51.100.1 dst=198.51.100.2 type=8 code=0 id=7 src=198.51.100.2 dst=198.51.100.1 type=0 code=0 id=0 mark=0 use=1";
        Assert.True(ConntrackListParser.TryParseLine(line, out var entry));
        Assert.Equal(7, entry.Original.SrcPort.Raw);
        Assert.Equal(8 << 8, entry.Original.DstPort.Raw);
        Assert.Equal(0, entry.Reply.SrcPort.Raw);
        Assert.Equal(0, entry.Reply.DstPort.Raw);
    }

    [Fact]
    public void Extra_fields_after_the_tuples_are_ignored()
    {
        const string line = "tcp 6 10 CLOSE src=198.51.100.1 dst=198.51.100.2 sport=1 dport=2 src=198.51.100.2 dst=198.51.100.1 sport=2 dport=1 mark=0 zone=0 use=1 id=123456789";
        Assert.True(ConntrackListParser.TryParseLine(line, out var entry));
        Assert.Equal(1, entry.Reply.DstPort.Raw);
    }

    [Fact]
    public void Output_with_an_untracked_protocol_and_the_summary_line_reports_the_unknown_line()
    {
        const string output = """
            tcp      6 431999 ESTABLISHED src=198.51.100.1 dst=198.51.100.2 sport=54321 dport=80 src=198.51.100.2 dst=198.51.100.1 sport=80 dport=12345 [ASSURED] mark=100 use=1
            sctp     132 10 CLOSED src=198.51.100.1 dst=198.51.100.2 sport=1 dport=2 src=198.51.100.2 dst=198.51.100.1 sport=2 dport=1 mark=0 use=1
            conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.
            """;
        var (entries, unparsed) = ConntrackListParser.Parse(output);
        Assert.Single(entries);
        Assert.Single(unparsed);
        Assert.StartsWith("sctp", unparsed[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp 6 10 src=198.51.100.1 dst=198.51.100.2 sport=1 dport=2")]
    [InlineData("tcp 6 10 src=198.51.100.1 dst=198.51.100.2 sport=1 dport=99999 src=198.51.100.2 dst=198.51.100.1 sport=2 dport=1")]
    [InlineData("tcp 6 10 src=198.51.100.1 dst=not-an-ip sport=1 dport=2 src=198.51.100.2 dst=198.51.100.1 sport=2 dport=1")]
    [InlineData("garbage")]
    public void Lines_without_two_complete_tuples_are_not_entries(string line) =>
        Assert.False(ConntrackListParser.TryParseLine(line, out _));
}
