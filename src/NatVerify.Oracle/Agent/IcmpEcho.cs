using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace NatVerify.Oracle.Agent;

/// <summary>Builds ICMP echo requests and reads echo messages received on raw sockets (which include the IPv4 header).</summary>
internal static class IcmpEcho
{
    /// <summary>ICMP type of an echo request.</summary>
    public const byte Request = 8;

    /// <summary>ICMP type of an echo reply.</summary>
    public const byte Reply = 0;

    /// <summary>An echo request (type 8, code 0) with the given id, sequence number 1 and the tag as payload.</summary>
    public static byte[] BuildRequest(int id, string tag)
    {
        var payload = Encoding.ASCII.GetBytes(tag);
        var packet = new byte[8 + payload.Length];
        packet[0] = Request;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)id);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 1);
        payload.CopyTo(packet, 8);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        return packet;
    }

    /// <summary>Reads an IPv4 datagram holding an ICMP echo message; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out byte type, out IPAddress source, out IPAddress destination, out int id, out string tag)
    {
        type = 0;
        source = IPAddress.None;
        destination = IPAddress.None;
        id = 0;
        tag = string.Empty;
        if (datagram.Length < 20 || datagram[0] >> 4 != 4)
        {
            return false;
        }

        var headerLength = (datagram[0] & 0x0f) * 4;
        if (datagram.Length < headerLength + 8 || datagram[9] != 1)
        {
            return false;
        }

        type = datagram[headerLength];
        if (type is not (Request or Reply))
        {
            return false;
        }

        source = new IPAddress(datagram.Slice(12, 4));
        destination = new IPAddress(datagram.Slice(16, 4));
        id = BinaryPrimitives.ReadUInt16BigEndian(datagram[(headerLength + 4)..]);
        tag = Encoding.ASCII.GetString(datagram[(headerLength + 8)..]);
        return true;
    }

    /// <summary>The Internet checksum (RFC 1071) of the message with its checksum field zero.</summary>
    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (data.Length % 2 == 1)
        {
            sum += (uint)(data[^1] << 8);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
