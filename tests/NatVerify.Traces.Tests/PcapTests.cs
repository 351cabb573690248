using NatVerify.Reporting;
using Xunit;

namespace NatVerify.Traces.Tests;

public class PcapTests
{
    [Theory]
    [InlineData(Model.Addressing.L4Protocol.Tcp)]
    [InlineData(Model.Addressing.L4Protocol.Udp)]
    [InlineData(Model.Addressing.L4Protocol.Icmp)]
    public void Every_checksum_of_a_built_packet_verifies(Model.Addressing.L4Protocol protocol)
    {
        var src = Model.Addressing.Ipv4.Parse("198.51.100.1");
        var dst = Model.Addressing.Ipv4.Parse("203.0.113.9");
        var tuple = protocol == Model.Addressing.L4Protocol.Icmp
            ? new Model.Tuples.ConntrackTuple(protocol, src, Model.Addressing.Port.Of(7), dst, Model.Tuples.ConntrackTuple.IcmpEchoRequest)
            : new Model.Tuples.ConntrackTuple(protocol, src, Model.Addressing.Port.Of(40000), dst, Model.Addressing.Port.Of(53));

        var bytes = PacketBuilder.Build(tuple, 77, "natverify odd payload");

        // A header or segment whose checksum is right sums (one's complement) to 0xFFFF, so the checksum over it is 0.
        Assert.Equal(bytes.Length, (bytes[2] << 8) | bytes[3]);
        Assert.Equal(0, PacketBuilder.Checksum(bytes.AsSpan(0, 20), 0));
        var l4 = bytes.AsSpan(20);
        var pseudo = protocol == Model.Addressing.L4Protocol.Icmp ? 0u
            : (src.Value >> 16) + (src.Value & 0xFFFF) + (dst.Value >> 16) + (dst.Value & 0xFFFF) + (uint)protocol + (uint)l4.Length;
        Assert.Equal(0, PacketBuilder.Checksum(l4, pseudo));
    }

    [Fact]
    public void The_same_trace_gives_the_same_pcap_bytes()
    {
        var (_, trace, result) = Repo.Witness("specs/seed/race-thief.yaml");
        Assert.Equal(PcapWriter.Write(result.Semantics, trace), PcapWriter.Write(result.Semantics, trace));
    }

    [ToolFact(false, "tshark")]
    public void Tshark_reads_the_pcap_back_with_the_expected_ports_and_good_checksums()
    {
        var (_, trace, result) = Repo.Witness("specs/seed/race-thief.yaml");
        var packets = WirePackets.Of(result.Semantics, trace);
        var dir = Repo.TempDir();
        try
        {
            var file = Path.Combine(dir, "trace.pcapng");
            File.WriteAllBytes(file, PcapWriter.Write(result.Semantics, trace));
            var (code, output, err) = Tools.Run(
                "tshark",
                ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-E", "separator=|",
                 "-e", "frame.interface_id", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport",
                 "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "tcp.flags.syn", "-e", "frame.comment"],
                TimeSpan.FromSeconds(60),
                new Dictionary<string, string> { ["HOME"] = dir });

            Assert.True(code == 0, $"tshark exited {code}: {err}");
            var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
            Assert.Equal(4, rows.Count);
            Assert.Equal(packets.Select(p => p.AfterNat ? "1" : "0"), rows.Select(r => r[0]));

            // As sent: the client from 12345, the thief from 54321; after NAT the thief leaves from 12345 and the
            // client from the port the null binding chose in this witness.
            var clientPort = new PortConcretizer(result.Semantics).Number(trace.Final[result.Semantics.Scenario.IndexOf("client")].Reply.DstPort);
            Assert.Equal(["12345", "54321", "12345", clientPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], rows.Select(r => r[2]));
            Assert.NotEqual("12345", rows[3][2]);
            Assert.All(rows, r => Assert.Equal("198.51.100.1", r[1]));
            Assert.All(rows, r => Assert.Equal("80", r[4]));
            Assert.All(rows, r => Assert.Equal("1", r[5]));
            Assert.All(rows, r => Assert.Equal("1", r[6]));
            Assert.All(rows, r => Assert.Equal("1", r[7]));
            Assert.StartsWith("step 8: client's first packet as it leaves on veth0, headers after NAT", rows[3][8], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
