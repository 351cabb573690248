using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NatVerify.Oracle.Kernel;

namespace NatVerify.Oracle.Agent;

/// <summary>
/// The oracle's handle on one agent process running inside a namespace: sends requests, waits (bounded) for each
/// answer, and on disposal asks the agent to exit and kills it if it does not.
/// </summary>
public sealed class AgentClient : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new(boundedCapacity: 1024);
    private readonly StringBuilder _stderr = new();
    private bool _disposed;

    private AgentClient(Process process, string ns)
    {
        _process = process;
        Namespace = ns;
    }

    /// <summary>The namespace the agent runs in.</summary>
    public string Namespace { get; }

    /// <summary>The agent's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts <c>ip netns exec NS natverify agent --lifetime S --run-id ID</c> and waits for its hello.
    /// The lifetime makes the agent exit on its own even if this process dies without cleaning up.
    /// </summary>
    public static AgentClient Start(AgentLaunch launch, string ns, string runId, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Tools.Require("ip", "iproute2"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["netns", "exec", ns, launch.FileName, .. launch.PrefixArguments, "agent",
                     "--lifetime", ((int)Math.Ceiling(lifetime.TotalSeconds)).ToString(CultureInfo.InvariantCulture), "--run-id", runId])
        {
            info.ArgumentList.Add(argument);
        }

        // The agent needs no .NET diagnostics pipes or first-run output.
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        info.Environment["DOTNET_TieredPGO"] = "0"; // a short-lived process: profiling only costs start-up time
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Start();
        OracleResources.Track(process);
        var client = new AgentClient(process, ns);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                client._lines.TryAdd(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (client._stderr)
                {
                    if (client._stderr.Length < 16_384)
                    {
                        client._stderr.AppendLine(e.Data);
                    }
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            client.Send(new AgentRequest { Op = "hello" }, TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    /// <summary>Sends one request and waits for its answer; throws <see cref="OracleFailureException"/> on errors or silence.</summary>
    public AgentResponse Send(AgentRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            _process.StandardInput.WriteLine(AgentJson.Write(request));
            _process.StandardInput.Flush();
        }
        catch (IOException e)
        {
            throw new OracleFailureException($"agent in {Namespace} is gone ({e.Message}); its stderr: {Stderr()}");
        }

        if (!_lines.TryTake(out var line, (int)timeout.TotalMilliseconds, cancellationToken))
        {
            throw new OracleFailureException($"agent in {Namespace} did not answer '{request.Op}' within {timeout.TotalSeconds:0.#} s; its stderr: {Stderr()}");
        }

        AgentResponse response;
        try
        {
            response = AgentJson.Read<AgentResponse>(line);
        }
        catch (JsonException e)
        {
            throw new OracleFailureException($"agent in {Namespace} answered '{line}', not JSON ({e.Message})");
        }

        if (!response.Ok)
        {
            throw new OracleFailureException($"agent in {Namespace} refused '{request.Op}': {response.Error}");
        }

        return response;
    }

    /// <summary>What the agent wrote to stderr so far.</summary>
    public string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.Length == 0 ? "(nothing)" : _stderr.ToString().Trim();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine(AgentJson.Write(new AgentRequest { Op = "exit" }));
                _process.StandardInput.Flush();
                _process.StandardInput.Close();
                _process.WaitForExit(1500);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // It is gone or going; the kill below makes sure.
        }

        ProcessRunner.Kill(_process);
        OracleResources.Untrack(_process);
        // The line buffer is not disposed: the output reader may still deliver a last line after the kill.
        _process.Dispose();
    }
}
