using System.Diagnostics;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// Every namespace and agent process the oracle created in this process and has not yet released, so that a
/// signal handler (Ctrl-C, SIGTERM) can release them all even while a run is in the middle of a step.
/// </summary>
public static class OracleResources
{
    private static readonly object Lock = new();
    private static readonly List<string> Namespaces = [];
    private static readonly List<Process> Processes = [];

    /// <summary>The namespaces created and not yet deleted.</summary>
    public static IReadOnlyList<string> LiveNamespaces
    {
        get
        {
            lock (Lock)
            {
                return [.. Namespaces];
            }
        }
    }

    /// <summary>Records a namespace this process created.</summary>
    public static void Track(string name)
    {
        lock (Lock)
        {
            Namespaces.Add(name);
        }
    }

    /// <summary>Forgets a namespace once deleted.</summary>
    public static void Untrack(string name)
    {
        lock (Lock)
        {
            Namespaces.Remove(name);
        }
    }

    /// <summary>Records an agent process this process started.</summary>
    public static void Track(Process process)
    {
        lock (Lock)
        {
            Processes.Add(process);
        }
    }

    /// <summary>Forgets an agent process once it ended.</summary>
    public static void Untrack(Process process)
    {
        lock (Lock)
        {
            Processes.Remove(process);
        }
    }

    /// <summary>Kills every tracked agent process and deletes every tracked namespace; safe to call more than once.</summary>
    public static void ReleaseAll()
    {
        List<Process> processes;
        List<string> namespaces;
        lock (Lock)
        {
            processes = [.. Processes];
            namespaces = [.. Namespaces];
        }

        foreach (var process in processes)
        {
            ProcessRunner.Kill(process);
            Untrack(process);
        }

        foreach (var name in namespaces)
        {
            Netns.Delete(name);
        }
    }
}
