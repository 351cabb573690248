using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NatVerify.Oracle.Agent;

/// <summary>
/// The sending side of an agent: opens each flow's socket (mark, bind, first packet) and keeps TCP and UDP
/// sockets open until the agent exits, so that their conntrack entries stay as the first packets left them.
/// Everything is bounded: at most <see cref="MaxFlowsPerRequest"/> flows per request, <see cref="MaxHeldSockets"/>
/// sockets held, and every wait ends after the flow's timeout (at most <see cref="MaxTimeoutMs"/>).
/// </summary>
/// <param name="watchUdp">Called with every UDP socket a flow binds, so that what arrives at it is recorded (see <see cref="ServerRecorder.Watch"/>).</param>
internal sealed class ClientFlows(Action<Socket>? watchUdp = null) : IDisposable
{
    /// <summary>Most flows one request may carry.</summary>
    public const int MaxFlowsPerRequest = 64;

    /// <summary>Most sockets held open at once.</summary>
    public const int MaxHeldSockets = 512;

    /// <summary>Longest wait for a connection or an echo reply.</summary>
    public const int MaxTimeoutMs = 10_000;

    private readonly object _lock = new();
    private readonly List<Socket> _held = [];
    private readonly Dictionary<(string Source, int Port, uint Mark), Socket> _udp = [];
    private readonly Dictionary<string, Socket> _tcpByTag = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<FlowResult>> _started = new(StringComparer.Ordinal);

    /// <summary>Runs the flows one after another, or all at once when <paramref name="concurrent"/>.</summary>
    public IReadOnlyList<FlowResult> Run(IReadOnlyList<FlowRequest> flows, bool concurrent)
    {
        if (flows.Count == 0 || flows.Count > MaxFlowsPerRequest)
        {
            throw new ArgumentException($"a request carries 1-{MaxFlowsPerRequest} flows, not {flows.Count}");
        }

        // Sockets are created, marked and bound before any packet leaves, so a burst's packets leave together.
        var prepared = flows.Select(Prepare).ToList();
        if (!concurrent)
        {
            return prepared.Select(p => p()).ToList();
        }

        var results = new FlowResult[prepared.Count];

        // A burst is meant to race inside the kernel, so its threads start on distinct CPUs (where there are enough)
        // and release each other: the last one to arrive goes at once and the others, spinning on their own CPUs,
        // see it within nanoseconds. Released by this (third) thread instead, on a 2-core machine one sender was
        // usually not running at the release, and the first packet was confirmed before the second left: on a
        // locally sent datagram conntrack's window between init_conntrack and __nf_conntrack_confirm is a few
        // microseconds (measured: 4-6% of bursts raced that way, about 60% with this barrier and the pinning).
        // Each flow's send is a closure compiled on its first call: compiled here, not by the first thread released
        // while the other waits for the JIT.
        foreach (var p in prepared)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(p.Method.MethodHandle);
        }

        var cpus = LinuxThreads.AllowedCpus();
        var arrived = 0;
        var rehearsed = 0;

        // Compiled optimized from the start: at tier 0 the spin loop's patchpoint sends a long-spinning thread off to
        // compile the loop (on-stack replacement) just as the last thread arrives, so in a fresh agent the first
        // datagram left long before the second (measured: no race in 10 fresh agents; 86 of 100 bursts raced in a
        // warm one).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        void Send(int index)
        {
            if (cpus.Count > 1)
            {
                LinuxThreads.PinCurrentThread(cpus[index % cpus.Count]);
            }

            Interlocked.Increment(ref arrived);
            var spins = 0;
            while (Volatile.Read(ref arrived) < prepared.Count && spins++ < 50_000_000)
            {
                Thread.SpinWait(8);
            }

            // A datagram's send is rehearsed by every thread (to port 0: EINVAL, nothing leaves), so that the real
            // sends, released by a second barrier, find every code path of this thread and process warm.
            (prepared[index].Target as UdpSend)?.Rehearse();
            Interlocked.Increment(ref rehearsed);
            spins = 0;
            while (Volatile.Read(ref rehearsed) < prepared.Count && spins++ < 50_000_000)
            {
                Thread.SpinWait(8);
            }

            try
            {
                results[index] = prepared[index]();
            }
            catch (Exception e)
            {
                // A thread's exception would end the agent; the flow's result carries it instead.
                results[index] = Error(flows[index].Tag, $"{e.GetType().Name}: {e.Message}");
            }
        }

        var threads = new List<Thread>();
        for (var i = 0; i < prepared.Count; i++)
        {
            var index = i;
            threads.Add(new Thread(() => Send(index)) { IsBackground = true, Name = $"flow {flows[i].Tag}" });
        }

        foreach (var thread in threads)
        {
            thread.Start();
        }

        var deadline = TimeSpan.FromMilliseconds(flows.Max(f => Math.Clamp(f.TimeoutMs, 1, MaxTimeoutMs)) + 5_000);
        foreach (var thread in threads)
        {
            thread.Join(deadline);
        }

        return results.Select((r, i) => r ?? Error(flows[i].Tag, "the flow's thread did not finish in time")).ToList();
    }

    /// <summary>Starts one flow without waiting for it (a connect that may need SYN retransmissions); see <see cref="Collect"/>.</summary>
    public void Start(IReadOnlyList<FlowRequest> flows)
    {
        if (flows.Count != 1)
        {
            throw new ArgumentException($"start takes exactly one flow, not {flows.Count}");
        }

        var run = Prepare(flows[0]);
        lock (_lock)
        {
            if (_started.ContainsKey(flows[0].Tag))
            {
                throw new ArgumentException($"flow {flows[0].Tag} was already started");
            }

            _started[flows[0].Tag] = Task.Factory.StartNew(run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Waits (bounded) for a flow <see cref="Start"/> began and returns its result.</summary>
    public FlowResult Collect(string tag)
    {
        Task<FlowResult>? task;
        lock (_lock)
        {
            _started.Remove(tag, out task);
        }

        if (task is null)
        {
            throw new ArgumentException($"no started flow {tag}");
        }

        return task.Wait(TimeSpan.FromMilliseconds(MaxTimeoutMs + 5_000)) ? task.Result : Error(tag, "the started flow did not finish in time");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var socket in _held)
            {
                socket.Dispose();
            }

            _held.Clear();
            _udp.Clear();
            _tcpByTag.Clear();
        }
    }

    private Func<FlowResult> Prepare(FlowRequest flow)
    {
        try
        {
            var source = IPAddress.Parse(flow.Source);
            var destination = IPAddress.Parse(flow.Destination);
            var timeout = Math.Clamp(flow.TimeoutMs, 1, MaxTimeoutMs);
            return flow.Protocol switch
            {
                "tcp" => PrepareTcp(flow, source, destination, timeout),
                "udp" => PrepareUdp(flow, source, destination),
                "icmp" => PrepareIcmp(flow, source, destination, timeout),
                "raw" => PrepareRaw(flow, source, destination),
                _ => () => Error(flow.Tag, $"unknown protocol '{flow.Protocol}'"),
            };
        }
        catch (Exception e) when (e is SocketException or FormatException or ArgumentException or InvalidOperationException)
        {
            var message = e.Message;
            return () => Error(flow.Tag, message);
        }
    }

    private Func<FlowResult> PrepareTcp(FlowRequest flow, IPAddress source, IPAddress destination, int timeout)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Two flows may share a source address and port (they differ in destination), as the seed's do.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            LinuxSockets.SetMark(socket, flow.Mark);
            socket.Bind(new IPEndPoint(source, flow.SourcePort));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return () => Connect(flow, socket, new IPEndPoint(destination, flow.DestinationPort), timeout);
    }

    private FlowResult Connect(FlowRequest flow, Socket socket, IPEndPoint destination, int timeout)
    {
        var connect = socket.ConnectAsync(destination);
        bool finished;
        try
        {
            finished = connect.Wait(timeout);
        }
        catch (AggregateException e)
        {
            var retransmits = LinuxSockets.TotalRetransmits(socket);
            socket.Dispose();
            if (e.InnerException is not SocketException se)
            {
                return new FlowResult { Tag = flow.Tag, Result = "error", Detail = e.InnerException?.Message ?? e.Message, SynRetransmits = retransmits };
            }

            var result = se.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "refused",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
                SocketError.TimedOut => "timeout",
                _ => "error",
            };
            return new FlowResult { Tag = flow.Tag, Result = result, Detail = se.Message, SynRetransmits = retransmits };
        }

        if (!finished)
        {
            // Abandon the connect before the SYN is retransmitted where possible; report how many were.
            var retransmits = LinuxSockets.TotalRetransmits(socket);
            socket.Dispose();
            connect.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return new FlowResult { Tag = flow.Tag, Result = "timeout", SynRetransmits = retransmits };
        }

        var sent = LinuxSockets.TotalRetransmits(socket);
        try
        {
            socket.Send(Encoding.ASCII.GetBytes(flow.Tag + "\n"));
        }
        catch (SocketException e)
        {
            Hold(socket, flow.Tag);
            return new FlowResult { Tag = flow.Tag, Result = "connected", Detail = $"sending the tag failed: {e.Message}", SynRetransmits = sent };
        }

        Hold(socket, flow.Tag);
        return new FlowResult { Tag = flow.Tag, Result = "connected", SynRetransmits = sent };
    }

    private Func<FlowResult> PrepareUdp(FlowRequest flow, IPAddress source, IPAddress destination)
    {
        Socket socket;
        lock (_lock)
        {
            // Flows with the same source and mark share one socket, as packets sent from one socket do.
            var key = (flow.Source, flow.SourcePort, flow.Mark);
            if (!_udp.TryGetValue(key, out socket!))
            {
                if (_held.Count >= MaxHeldSockets)
                {
                    throw new InvalidOperationException($"the agent already holds {MaxHeldSockets} sockets");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    LinuxSockets.SetMark(socket, flow.Mark);
                    socket.Bind(new IPEndPoint(source, flow.SourcePort));
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                _udp[key] = socket;
                HoldLocked(socket);
                watchUdp?.Invoke(socket);
            }
        }

        var send = new UdpSend(socket, Encoding.ASCII.GetBytes(flow.Tag), flow.Tag, LinuxSockets.SockaddrIn(destination, flow.DestinationPort),
            LinuxSockets.SockaddrIn(destination, 0));

        // The send path runs once here (the P/Invoke stub is compiled on its first call), so no burst thread waits
        // for another's JIT.
        send.Rehearse();
        return send.Run;
    }

    /// <summary>
    /// One datagram's send, and its rehearsal: the same send to port 0, which udp_sendmsg refuses with EINVAL before
    /// routing, so nothing leaves and conntrack sees nothing.
    /// </summary>
    private sealed class UdpSend(Socket socket, byte[] payload, string tag, byte[] target, byte[] rehearsal)
    {
        public FlowResult Run() => LinuxSockets.SendTo(socket, payload, target) is { } error
            ? Error(tag, error)
            : new FlowResult { Tag = tag, Result = "sent" };

        public void Rehearse() => LinuxSockets.SendTo(socket, payload, rehearsal);
    }

    /// <summary>A raw socket marked as the flow asks and bound to its source address (closed again if that fails).</summary>
    private static Socket Bound(Socket socket, FlowRequest flow, IPAddress source)
    {
        try
        {
            LinuxSockets.SetMark(socket, flow.Mark);
            socket.Bind(new IPEndPoint(source, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Func<FlowResult> PrepareIcmp(FlowRequest flow, IPAddress source, IPAddress destination, int timeout)
    {
        var socket = Bound(new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp), flow, source);

        var request = IcmpEcho.BuildRequest(flow.IcmpId, flow.Tag);
        return () =>
        {
            using (socket)
            {
                return Echo(flow, socket, request, new IPEndPoint(destination, 0), timeout);
            }
        };
    }

    private static Func<FlowResult> PrepareRaw(FlowRequest flow, IPAddress source, IPAddress destination)
    {
        if (flow.ProtocolNumber is < 1 or > 255 or 1 or 6 or 17)
        {
            throw new ArgumentException($"raw flows carry a portless IP protocol number, not {flow.ProtocolNumber}");
        }

        var socket = Bound(LinuxSockets.RawIpv4(flow.ProtocolNumber), flow, source);

        var packet = RawPacket.Build(flow.ProtocolNumber, flow.Tag);
        return () =>
        {
            using (socket)
            {
                try
                {
                    // A packet netfilter drops (NF_DROP at confirm) fails the send with EPERM: it left nothing on the wire.
                    socket.SendTo(packet, new IPEndPoint(destination, 0));
                    return new FlowResult { Tag = flow.Tag, Result = "sent" };
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
                {
                    return new FlowResult { Tag = flow.Tag, Result = "sent", Detail = $"dropped on the way out: {e.Message}" };
                }
                catch (SocketException e)
                {
                    return Error(flow.Tag, e.Message);
                }
            }
        };
    }

    private static FlowResult Echo(FlowRequest flow, Socket socket, byte[] request, IPEndPoint destination, int timeout)
    {
        try
        {
            socket.SendTo(request, destination);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            // EPERM: a netfilter hook dropped the request on its way out (NF_DROP at confirm, say), as a packet lost on the
            // wire would be: no reply will come.
            return new FlowResult { Tag = flow.Tag, Result = "timeout", Detail = $"dropped on the way out: {e.Message}" };
        }
        catch (SocketException e)
        {
            return Error(flow.Tag, e.Message);
        }

        var deadline = Environment.TickCount64 + timeout;
        var buffer = new byte[2048];
        for (var packets = 0; packets < 10_000; packets++)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                break;
            }

            socket.ReceiveTimeout = (int)left;
            int length;
            try
            {
                length = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                break;
            }

            if (IcmpEcho.TryParse(buffer.AsSpan(0, length), out var type, out _, out _, out var id, out var tag)
                && type == IcmpEcho.Reply && tag == flow.Tag)
            {
                return new FlowResult { Tag = flow.Tag, Result = "replied", ReplyId = id };
            }
        }

        return new FlowResult { Tag = flow.Tag, Result = "timeout" };
    }

    private void Hold(Socket socket, string? tcpTag = null)
    {
        lock (_lock)
        {
            HoldLocked(socket);
            if (tcpTag is not null && _held.Contains(socket))
            {
                _tcpByTag[tcpTag] = socket;
            }
        }
    }

    /// <summary>
    /// Closes a connected TCP flow. <c>fin</c>: ask the server to close (it sends the first FIN), wait (bounded) for that
    /// FIN, then close, so the connection ends in TIME_WAIT on the server's side and its conntrack entry in TIME_WAIT;
    /// <c>rst</c>: SO_LINGER 0 and
    /// close, which sends a RST (the entry goes to CLOSE). A flow that did not connect is left alone.
    /// </summary>
    public void Close(string tag, string how)
    {
        Socket? socket;
        lock (_lock)
        {
            _tcpByTag.Remove(tag, out socket);
            if (socket is not null)
            {
                _held.Remove(socket);
            }
        }

        if (socket is null)
        {
            return;
        }

        try
        {
            if (how == "rst")
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            else if (how == "fin")
            {
                // The server closes first (it shuts down on this line), so the active closer, whose socket lingers in
                // TIME_WAIT, is the server: the client may connect from the same 4-tuple again at once (a reopen), which
                // its own TIME_WAIT socket would refuse. Conntrack goes to TIME_WAIT either way (FIN seen both ways).
                socket.Send("fin\n"u8.ToArray());
                socket.ReceiveTimeout = 2_000;
                var buffer = new byte[256];
                for (var n = 0; n < 64 && socket.Receive(buffer) > 0; n++)
                {
                }
            }
            else
            {
                throw new ArgumentException($"unknown close '{how}' (known: fin, rst)");
            }
        }
        catch (SocketException)
        {
            // The connection is gone either way; closing below is all that is left.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private void HoldLocked(Socket socket)
    {
        if (_held.Count >= MaxHeldSockets)
        {
            socket.Dispose();
            return;
        }

        _held.Add(socket);
    }

    private static FlowResult Error(string tag, string message) => new() { Tag = tag, Result = "error", Detail = message };
}
