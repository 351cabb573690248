using System.Reflection;

namespace NatVerify.Oracle.Agent;

/// <summary>
/// How to start the project's own binary as an agent: the executable and the arguments that come before
/// <c>agent</c> (the assembly path when the binary runs under the <c>dotnet</c> host).
/// </summary>
public sealed record AgentLaunch(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>The binary of the running process (the <c>natverify</c> command).</summary>
    public static AgentLaunch CurrentProcess()
    {
        var process = Environment.ProcessPath ?? throw new OracleUnavailableException("cannot tell the path of the running natverify binary");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            var assembly = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(assembly))
            {
                throw new OracleUnavailableException("running under 'dotnet' without an entry assembly path: cannot start the agent");
            }

            return new AgentLaunch(process, [assembly]);
        }

        return new AgentLaunch(process, []);
    }

    /// <summary>
    /// The <c>natverify</c> binary that contains <paramref name="assembly"/> (the CLI's own assembly), found next to
    /// it; this works when the CLI runs as its app host, under <c>dotnet natverify.dll</c>, or in-process in tests.
    /// Falls back to the running process for single-file builds, whose assemblies have no location.
    /// </summary>
    public static AgentLaunch ForAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var directory = Path.GetDirectoryName(assembly.Location);
        return string.IsNullOrEmpty(directory) ? CurrentProcess() : FromDirectory(directory);
    }

    /// <summary>The <c>natverify</c> binary in a directory (a build output); prefers the app host, else <c>dotnet natverify.dll</c>.</summary>
    public static AgentLaunch FromDirectory(string directory)
    {
        var host = Path.Combine(directory, "natverify");
        if (File.Exists(host))
        {
            return new AgentLaunch(host, []);
        }

        var dll = Path.Combine(directory, "natverify.dll");
        if (File.Exists(dll))
        {
            return new AgentLaunch("dotnet", [dll]);
        }

        throw new OracleUnavailableException($"no natverify binary in {directory}");
    }
}
