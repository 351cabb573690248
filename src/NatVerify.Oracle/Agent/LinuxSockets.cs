using System.Buffers.Binary;
using System.Net.Sockets;

namespace NatVerify.Oracle.Agent;

/// <summary>The Linux socket options the agent sets or reads that .NET has no names for.</summary>
internal static class LinuxSockets
{
    private const int SolSocket = 1;
    private const int SoMark = 36;
    private const int IpProtoTcp = 6;
    private const int TcpInfo = 11;

    // struct tcp_info: 8 bytes of u8 fields, then u32 fields; tcpi_total_retrans is the 24th u32 (offset 100).
    private const int TotalRetransOffset = 100;

    /// <summary>Sets <c>SO_MARK</c> (needs CAP_NET_ADMIN), which the nat table's <c>-m mark</c> rules see.</summary>
    public static void SetMark(Socket socket, uint mark)
    {
        if (mark == 0)
        {
            return;
        }

        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, mark);
        socket.SetRawSocketOption(SolSocket, SoMark, value);
    }

    /// <summary>
    /// A raw IPv4 socket for any IP protocol number. .NET's <see cref="Socket"/> constructor accepts only the protocols
    /// it names, so the socket is made with libc's <c>socket(AF_INET, SOCK_RAW, protocol)</c> and wrapped.
    /// </summary>
    public static Socket RawIpv4(int protocol)
    {
        var fd = NativeMethods.socket(AfInet, SockRaw, protocol);
        if (fd < 0)
        {
            throw new SocketException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }

        return new Socket(new SafeSocketHandle((IntPtr)fd, ownsHandle: true));
    }

    private const int AfInet = 2;
    private const int SockRaw = 3;

    /// <summary>The retransmissions TCP counted on the socket so far (for a connecting socket: SYN retransmissions), or 0 if unreadable.</summary>
    public static int TotalRetransmits(Socket socket)
    {
        try
        {
            var info = new byte[232];
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
            return length >= TotalRetransOffset + 4 ? (int)BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(TotalRetransOffset)) : 0;
        }
        catch (SocketException)
        {
            return 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }
}

/// <summary>libc calls .NET has no managed equivalent for.</summary>
internal static class NativeMethods
{
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300 // the libc name
    internal static extern int socket(int domain, int type, int protocol);
#pragma warning restore SA1300
}
