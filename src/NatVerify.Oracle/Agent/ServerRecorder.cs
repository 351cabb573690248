using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NatVerify.Oracle.Agent;

/// <summary>
/// The receiving side of an agent: TCP listeners that read each connection's tag line, UDP sockets that read
/// each datagram's tag (with the local address it was sent to), and a raw ICMP socket that records echo
/// requests. Bounded: at most <see cref="MaxPorts"/> ports, <see cref="MaxRecords"/> records and
/// <see cref="MaxConnectionsPerPort"/> accepted connections per port; everything stops when disposed.
/// </summary>
internal sealed class ServerRecorder : IDisposable
{
    /// <summary>Most ports served.</summary>
    public const int MaxPorts = 256;

    /// <summary>Most records kept.</summary>
    public const int MaxRecords = 4096;

    /// <summary>Most connections accepted per TCP port.</summary>
    public const int MaxConnectionsPerPort = 256;

    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<ServerRecord> _records = [];
    private readonly HashSet<(string, int)> _served = [];

    /// <summary>Binds every requested port (failing as a whole if one cannot be bound) and starts recording.</summary>
    public void Serve(IReadOnlyList<int> tcpPorts, IReadOnlyList<int> udpPorts, bool icmp, IReadOnlyList<int>? rawProtocols = null)
    {
        rawProtocols ??= [];
        if (rawProtocols.Any(p => p is < 1 or > 255 or 1 or 6 or 17))
        {
            throw new ArgumentException("raw protocols are portless IP protocol numbers (not icmp, tcp or udp)");
        }

        lock (_lock)
        {
            if (_served.Count + tcpPorts.Count + udpPorts.Count > MaxPorts)
            {
                throw new ArgumentException($"an agent serves at most {MaxPorts} ports");
            }
        }

        var started = new List<(Socket Socket, Func<Socket, Task> Loop)>();
        try
        {
            foreach (var port in tcpPorts.Where(p => !IsServed("tcp", p)))
            {
                var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                started.Add((listener, AcceptLoop));
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(IPAddress.Any, port));
                listener.Listen(64);
            }

            foreach (var port in udpPorts.Where(p => !IsServed("udp", p)))
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                started.Add((socket, ReceiveLoop));
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
            }

            if (icmp && !IsServed("icmp", 0))
            {
                var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
                started.Add((raw, IcmpLoop));
                raw.Bind(new IPEndPoint(IPAddress.Any, 0));
            }

            foreach (var protocol in rawProtocols.Where(p => !IsServed("raw", p)))
            {
                var raw = LinuxSockets.RawIpv4(protocol);
                started.Add((raw, s => RawLoop(s, protocol)));
                raw.Bind(new IPEndPoint(IPAddress.Any, 0));
            }
        }
        catch
        {
            foreach (var (socket, _) in started)
            {
                socket.Dispose();
            }

            throw;
        }

        lock (_lock)
        {
            foreach (var (socket, loop) in started)
            {
                _sockets.Add(socket);
                var key = socket.ProtocolType switch
                {
                    ProtocolType.Tcp => ("tcp", ((IPEndPoint)socket.LocalEndPoint!).Port),
                    ProtocolType.Udp => ("udp", ((IPEndPoint)socket.LocalEndPoint!).Port),
                    ProtocolType.Icmp => ("icmp", 0),
                    _ => ("raw", RawProtocolOf(socket)),
                };
                _served.Add(key);
                _ = Task.Run(() => loop(socket));
            }
        }
    }

    /// <summary>
    /// Records the tagged datagrams a flow's own UDP socket receives. A socket bound to a specific address and port wins
    /// the kernel's UDP socket lookup (<c>udp4_lib_lookup2</c>: the better <c>compute_score</c>) over this recorder's
    /// wildcard socket on that port, so a datagram addressed to another flow's source address and port (a reply
    /// direction packet, say) is delivered to that flow's socket; what the kernel did is judged only if that socket
    /// reports it too. The socket stays owned by the caller; the loop ends when it is closed.
    /// </summary>
    public void Watch(Socket udp)
    {
        ArgumentNullException.ThrowIfNull(udp);
        udp.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        _ = Task.Run(() => ReceiveLoop(udp));
    }

    /// <summary>Everything recorded so far, in arrival order.</summary>
    public IReadOnlyList<ServerRecord> Snapshot()
    {
        lock (_lock)
        {
            return [.. _records];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        lock (_lock)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            _sockets.Clear();
        }

        _stop.Dispose();
    }

    private bool IsServed(string protocol, int port)
    {
        lock (_lock)
        {
            return _served.Contains((protocol, port));
        }
    }

    private async Task AcceptLoop(Socket listener)
    {
        for (var n = 0; n < MaxConnectionsPerPort; n++)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_lock)
            {
                // Accepted connections stay open until the agent exits: closing would move their entries on.
                _sockets.Add(connection);
            }

            _ = Task.Run(() => ReadTag(connection));
        }
    }

    private async Task ReadTag(Socket connection)
    {
        var remote = (IPEndPoint)connection.RemoteEndPoint!;
        var local = (IPEndPoint)connection.LocalEndPoint!;
        var buffer = new byte[256];
        var length = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            while (length < buffer.Length && Array.IndexOf(buffer, (byte)'\n', 0, length) < 0)
            {
                var read = await connection.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Record the connection with whatever arrived: the peer address is what matters most.
        }

        var text = Encoding.ASCII.GetString(buffer, 0, length);
        var newline = text.IndexOf('\n');
        Record("tcp", newline >= 0 ? text[..newline] : text, remote, local.Address, local.Port);
        await CloseAfterPeer(connection, newline >= 0 && text[(newline + 1)..].Contains("fin", StringComparison.Ordinal));
    }

    /// <summary>
    /// Waits for the client to end the connection and closes this side too: on the client's "fin" line this side sends
    /// the first FIN (the client answers with its own, and this socket, the active closer, lingers in TIME_WAIT); after
    /// the client's FIN the server's FIN completes the close (the entry reaches TIME_WAIT either way); after a RST the
    /// socket is just released.
    /// </summary>
    private async Task CloseAfterPeer(Socket connection, bool finAlreadyRead)
    {
        var buffer = new byte[256];
        var shut = false;
        try
        {
            if (finAlreadyRead)
            {
                connection.Shutdown(SocketShutdown.Send);
                shut = true;
            }

            for (var n = 0; n < 1024; n++)
            {
                var read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (!shut && Encoding.ASCII.GetString(buffer, 0, read).Contains("fin", StringComparison.Ordinal))
                {
                    connection.Shutdown(SocketShutdown.Send);
                    shut = true;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            return;
        }

        lock (_lock)
        {
            _sockets.Remove(connection);
        }

        connection.Dispose();
    }

    private async Task ReceiveLoop(Socket socket)
    {
        var buffer = new byte[2048];
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        for (var n = 0; n < MaxRecords; n++)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var tag = Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes);
            Record("udp", tag, (IPEndPoint)received.RemoteEndPoint, received.PacketInformation.Address, port);
        }
    }

    private async Task IcmpLoop(Socket socket)
    {
        var buffer = new byte[2048];
        for (var n = 0; n < MaxRecords; n++)
        {
            int length;
            try
            {
                length = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (IcmpEcho.TryParse(buffer.AsSpan(0, length), out var type, out var source, out var destination, out var id, out var tag)
                && type == IcmpEcho.Request)
            {
                Record("icmp", tag, new IPEndPoint(source, id), destination, 0);
            }
        }
    }

    private static int RawProtocolOf(Socket socket)
    {
        // SO_PROTOCOL (38): the IP protocol number of a raw socket made by LinuxSockets.RawIpv4.
        Span<byte> value = stackalloc byte[4];
        socket.GetRawSocketOption(1, 38, value);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(value);
    }

    private async Task RawLoop(Socket socket, int protocol)
    {
        var buffer = new byte[2048];
        for (var n = 0; n < MaxRecords; n++)
        {
            int length;
            try
            {
                length = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (RawPacket.TryParse(buffer.AsSpan(0, length), protocol, out var source, out var destination, out var tag))
            {
                Record("raw", tag, new IPEndPoint(source, 0), destination, protocol);
            }
        }
    }

    private void Record(string protocol, string tag, IPEndPoint remote, IPAddress localAddress, int localPort)
    {
        lock (_lock)
        {
            if (_records.Count >= MaxRecords)
            {
                return;
            }

            _records.Add(new ServerRecord
            {
                Protocol = protocol,
                Tag = tag,
                Source = remote.Address.ToString(),
                SourcePort = remote.Port,
                Destination = localAddress.ToString(),
                DestinationPort = localPort,
            });
        }
    }
}
