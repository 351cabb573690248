using System.Text.Json;

namespace NatVerify.Oracle.Agent;

/// <summary>
/// The agent's command loop: runs inside a network namespace (started as
/// <c>ip netns exec NS natverify agent</c>), reads one <see cref="AgentRequest"/> per line and answers each with
/// one <see cref="AgentResponse"/> line. It ends on <c>exit</c>, at the end of its input, or after
/// <see cref="MaxRequests"/> requests; the caller bounds its lifetime as a whole.
/// </summary>
public static class AgentHost
{
    /// <summary>Most requests one agent serves.</summary>
    public const int MaxRequests = 4096;

    /// <summary>Serves requests until told to exit; returns the process exit code.</summary>
    public static int Run(TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        using var servers = new ServerRecorder();
        using var clients = new ClientFlows(servers.Watch);
        for (var n = 0; n < MaxRequests; n++)
        {
            var line = input.ReadLine();
            if (line is null)
            {
                return 0;
            }

            if (line.Trim().Length == 0)
            {
                continue;
            }

            AgentResponse response;
            var exit = false;
            try
            {
                var request = AgentJson.Read<AgentRequest>(line);
                exit = request.Op == "exit";
                response = Handle(request, clients, servers);
            }
            catch (Exception e) when (e is JsonException or ArgumentException or System.Net.Sockets.SocketException
                or InvalidOperationException or NotSupportedException or FormatException or UnauthorizedAccessException)
            {
                response = new AgentResponse { Ok = false, Error = $"{e.GetType().Name}: {e.Message}" };
            }

            output.WriteLine(AgentJson.Write(response));
            output.Flush();
            if (exit)
            {
                return 0;
            }
        }

        return 0;
    }

    private static AgentResponse Handle(AgentRequest request, ClientFlows clients, ServerRecorder servers)
    {
        switch (request.Op)
        {
            case "hello":
                return new AgentResponse { Ok = true, Pid = Environment.ProcessId };
            case "serve":
                servers.Serve(request.TcpPorts ?? [], request.UdpPorts ?? [], request.Icmp, request.RawProtocols ?? []);
                return new AgentResponse { Ok = true };
            case "flows":
                return new AgentResponse { Ok = true, Results = clients.Run(request.Flows ?? [], request.Concurrent) };
            case "start":
                clients.Start(request.Flows ?? []);
                return new AgentResponse { Ok = true };
            case "collect":
                return new AgentResponse { Ok = true, Results = [clients.Collect(request.Tag ?? throw new ArgumentException("collect needs a tag"))] };
            case "close":
                clients.Close(request.Tag ?? throw new ArgumentException("close needs a tag"), request.How ?? "fin");
                return new AgentResponse { Ok = true };
            case "report":
                return new AgentResponse { Ok = true, Seen = servers.Snapshot() };
            case "exit":
                return new AgentResponse { Ok = true };
            default:
                return new AgentResponse { Ok = false, Error = $"unknown op '{request.Op}' (known: hello, serve, flows, start, collect, close, report, exit)" };
        }
    }
}
