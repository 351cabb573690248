using System.Net;
using System.Text;

namespace NatVerify.Oracle.Agent;

/// <summary>
/// First packets of portless protocols, sent and read on raw IPv4 sockets. GRE gets a version-0 base header without
/// keys (conntrack's <c>gre_pkt_to_tuple</c> then keys it by addresses only, as the model does) and an EtherType from
/// the IEEE local-experimental range, so no tunnel driver decapsulates it; every other protocol carries the tag alone.
/// </summary>
internal static class RawPacket
{
    /// <summary>IP protocol number of GRE.</summary>
    public const int Gre = 47;

    private const int GreHeader = 4;

    /// <summary>The payload a raw socket of the protocol sends (the kernel adds the IPv4 header).</summary>
    public static byte[] Build(int protocol, string tag)
    {
        var payload = Encoding.ASCII.GetBytes(tag);
        if (protocol != Gre)
        {
            return payload;
        }

        // Flags and version 0; protocol type 0x88B5 (IEEE 802 local experimental EtherType).
        var packet = new byte[GreHeader + payload.Length];
        packet[2] = 0x88;
        packet[3] = 0xB5;
        payload.CopyTo(packet, GreHeader);
        return packet;
    }

    /// <summary>Reads an IPv4 datagram of the protocol as a raw socket returns it (with its IPv4 header); false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, int protocol, out IPAddress source, out IPAddress destination, out string tag)
    {
        source = IPAddress.None;
        destination = IPAddress.None;
        tag = string.Empty;
        if (datagram.Length < 20 || datagram[0] >> 4 != 4 || datagram[9] != protocol)
        {
            return false;
        }

        var offset = ((datagram[0] & 0x0f) * 4) + (protocol == Gre ? GreHeader : 0);
        if (datagram.Length < offset)
        {
            return false;
        }

        source = new IPAddress(datagram.Slice(12, 4));
        destination = new IPAddress(datagram.Slice(16, 4));
        tag = Encoding.ASCII.GetString(datagram[offset..]);
        return true;
    }
}
