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

    /// <summary>
    /// Sends one datagram with libc's <c>sendto</c> on the socket's descriptor; null, or the error's text. A burst's
    /// threads call this at the same instant: unlike <c>Socket.SendTo</c> it has no managed
    /// work of variable length (endpoint serialization, allocation) before the system call, so the datagrams enter
    /// the kernel together.
    /// </summary>
    public static string? SendTo(Socket socket, byte[] payload, byte[] sockaddrIn)
    {
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        if (NativeMethods.sendto(fd, payload, payload.Length, 0, sockaddrIn, sockaddrIn.Length) >= 0)
        {
            return null;
        }

        return System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    /// <summary>A <c>struct sockaddr_in</c> (family, port and address in network order, zero padding).</summary>
    public static byte[] SockaddrIn(System.Net.IPAddress address, int port)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, AfInet);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)port);
        address.GetAddressBytes().CopyTo(bytes, 4);
        return bytes;
    }

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

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    internal static extern int sched_getaffinity(int pid, nint cpusetsize, byte[] mask);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    internal static extern nint sendto(int sockfd, byte[] buf, nint len, int flags, byte[] destAddr, int addrlen);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    internal static extern int sched_setaffinity(int pid, nint cpusetsize, byte[] mask);
#pragma warning restore SA1300
}

/// <summary>
/// CPU affinity of the calling thread (<c>sched_getaffinity</c>/<c>sched_setaffinity</c> with pid 0 act on the calling
/// thread on Linux). A burst's sending threads are spread over distinct CPUs so that their first packets really are in
/// the kernel at the same time: the conntrack window between <c>init_conntrack</c> and <c>__nf_conntrack_confirm</c> of a
/// locally sent datagram is a few microseconds, far shorter than a time slice, so two threads that share a CPU (or wait
/// for the scheduler to move one) never race in it.
/// </summary>
internal static class LinuxThreads
{
    private const int MaskBytes = 128; // 1024 CPUs, glibc's cpu_set_t

    /// <summary>The CPUs the calling thread may run on, ascending; empty if unreadable.</summary>
    public static IReadOnlyList<int> AllowedCpus()
    {
        var mask = new byte[MaskBytes];
        if (NativeMethods.sched_getaffinity(0, MaskBytes, mask) < 0)
        {
            return [];
        }

        var cpus = new List<int>();
        for (var cpu = 0; cpu < MaskBytes * 8; cpu++)
        {
            if ((mask[cpu / 8] & (1 << (cpu % 8))) != 0)
            {
                cpus.Add(cpu);
            }
        }

        return cpus;
    }

    /// <summary>Restricts the calling thread to one CPU; false (and nothing changed) if the kernel refuses.</summary>
    public static bool PinCurrentThread(int cpu)
    {
        var mask = new byte[MaskBytes];
        mask[cpu / 8] = (byte)(1 << (cpu % 8));
        return NativeMethods.sched_setaffinity(0, MaskBytes, mask) == 0;
    }
}
