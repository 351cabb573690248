using System.Buffers.Binary;
using System.Text;
using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Reporting;

/// <summary>
/// Builds IPv4 packets with correct checksums (RFC 791 header checksum; TCP, UDP and ICMP checksums per RFC 793,
/// 768 and 792): a TCP SYN, a UDP datagram, or an ICMP echo request, for a tuple with concrete ports.
/// </summary>
public static class PacketBuilder
{
    /// <summary>The initial sequence number of every SYN (deterministic; the kernel's would be random).</summary>
    public const uint SynSequence = 0x4E560001;

    /// <summary>The packet bytes (raw IPv4, no link-layer header).</summary>
    /// <param name="tuple">The tuple; ports must be concrete.</param>
    /// <param name="id">The IPv4 identification field.</param>
    /// <param name="payloadText">Payload of UDP and ICMP packets.</param>
    public static byte[] Build(ConntrackTuple tuple, ushort id, string payloadText)
    {
        var payload = Encoding.ASCII.GetBytes(payloadText);
        var l4 = tuple.Protocol switch
        {
            L4Protocol.Tcp => Tcp(tuple),
            L4Protocol.Udp => Udp(tuple, payload),
            _ => Icmp(tuple, payload),
        };
        var packet = new byte[20 + l4.Length];
        var ip = packet.AsSpan(0, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF, as Linux sets on TCP/UDP/ICMP it sends
        ip[8] = 64;
        ip[9] = (byte)tuple.Protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], tuple.SrcIp.Value);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], tuple.DstIp.Value);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));
        l4.CopyTo(packet.AsSpan(20));
        var l4Span = packet.AsSpan(20);
        switch (tuple.Protocol)
        {
            case L4Protocol.Tcp:
                BinaryPrimitives.WriteUInt16BigEndian(l4Span[16..], Checksum(l4Span, PseudoHeaderSum(tuple, l4Span.Length)));
                break;
            case L4Protocol.Udp:
                var sum = Checksum(l4Span, PseudoHeaderSum(tuple, l4Span.Length));
                BinaryPrimitives.WriteUInt16BigEndian(l4Span[6..], sum == 0 ? (ushort)0xFFFF : sum);
                break;
            default:
                BinaryPrimitives.WriteUInt16BigEndian(l4Span[2..], Checksum(l4Span, 0));
                break;
        }

        return packet;
    }

    /// <summary>The Internet checksum (RFC 1071) of the bytes, starting from a partial sum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        var sum = initial;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static uint PseudoHeaderSum(ConntrackTuple t, int length) =>
        (t.SrcIp.Value >> 16) + (t.SrcIp.Value & 0xFFFF) + (t.DstIp.Value >> 16) + (t.DstIp.Value & 0xFFFF) + (uint)t.Protocol + (uint)length;

    private static byte[] Tcp(ConntrackTuple t)
    {
        var tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)t.SrcPort.Number);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)t.DstPort.Number);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), SynSequence);
        tcp[12] = 5 << 4;
        tcp[13] = 0x02; // SYN
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 64240);
        return tcp;
    }

    private static byte[] Udp(ConntrackTuple t, byte[] payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)t.SrcPort.Number);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)t.DstPort.Number);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        return udp;
    }

    private static byte[] Icmp(ConntrackTuple t, byte[] payload)
    {
        var icmp = new byte[8 + payload.Length];
        icmp[0] = (byte)(t.DstPort.Number >> 8); // the tuple keeps type << 8 | code
        icmp[1] = (byte)(t.DstPort.Number & 0xFF);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), (ushort)t.SrcPort.Number);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), 1);
        payload.CopyTo(icmp.AsSpan(8));
        return icmp;
    }
}
