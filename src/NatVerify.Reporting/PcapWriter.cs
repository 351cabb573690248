using System.Buffers.Binary;
using System.Text;
using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Reporting;

/// <summary>
/// Writes the packets of a trace (<see cref="WirePackets"/>) as a pcapng file: raw IPv4 (LINKTYPE_RAW), interface 0
/// for headers before NAT and interface 1 for headers after NAT, a comment on every packet naming its step and flow,
/// and timestamps of one second per step, so the same trace always gives the same bytes.
/// </summary>
public static class PcapWriter
{
    private const ushort LinkTypeRaw = 101;

    /// <summary>The pcapng bytes of a trace's packets.</summary>
    public static byte[] Write(NatSemantics semantics, Trace<NatState, NatStep> trace)
    {
        using var stream = new MemoryStream();
        Block(stream, 0x0A0D0D0A, SectionHeader());
        Block(stream, 1, InterfaceDescription("before-nat", "packets as sent or received, before NAT (natverify model)"));
        Block(stream, 1, InterfaceDescription("after-nat", "packets after NAT, as they leave (natverify model)"));
        ushort id = 1;
        foreach (var packet in WirePackets.Of(semantics, trace))
        {
            var bytes = PacketBuilder.Build(packet.Tuple, id++, $"natverify {packet.Actor}");
            Block(stream, 6, EnhancedPacket(packet.AfterNat ? 1u : 0u, (ulong)packet.Step * 1_000_000, bytes, packet.Comment));
        }

        return stream.ToArray();
    }

    private static byte[] SectionHeader()
    {
        using var body = new MemoryStream();
        Write32(body, 0x1A2B3C4D);
        Write16(body, 1);
        Write16(body, 0);
        Write64(body, ulong.MaxValue); // section length not specified
        Option(body, 4, "natverify"); // shb_userappl
        EndOfOptions(body);
        return body.ToArray();
    }

    private static byte[] InterfaceDescription(string name, string description)
    {
        using var body = new MemoryStream();
        Write16(body, LinkTypeRaw);
        Write16(body, 0);
        Write32(body, 65535);
        Option(body, 2, name); // if_name
        Option(body, 3, description); // if_description
        EndOfOptions(body);
        return body.ToArray();
    }

    private static byte[] EnhancedPacket(uint interfaceId, ulong microseconds, byte[] data, string comment)
    {
        using var body = new MemoryStream();
        Write32(body, interfaceId);
        Write32(body, (uint)(microseconds >> 32));
        Write32(body, (uint)microseconds);
        Write32(body, (uint)data.Length);
        Write32(body, (uint)data.Length);
        body.Write(data);
        Pad(body, data.Length);
        Option(body, 1, comment); // opt_comment
        EndOfOptions(body);
        return body.ToArray();
    }

    private static void Block(Stream stream, uint type, byte[] body)
    {
        var total = (uint)(12 + body.Length);
        Write32(stream, type);
        Write32(stream, total);
        stream.Write(body);
        Write32(stream, total);
    }

    private static void Option(Stream stream, ushort code, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Write16(stream, code);
        Write16(stream, (ushort)bytes.Length);
        stream.Write(bytes);
        Pad(stream, bytes.Length);
    }

    private static void EndOfOptions(Stream stream) => Write32(stream, 0);

    private static void Pad(Stream stream, int length)
    {
        for (var i = length; i % 4 != 0; i++)
        {
            stream.WriteByte(0);
        }
    }

    private static void Write16(Stream s, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    private static void Write32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }

    private static void Write64(Stream s, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        s.Write(b);
    }
}
