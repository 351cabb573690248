using System.Diagnostics;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// Runs a command (never through a shell: arguments are passed as a list) with a time limit, capturing its output;
/// a command that takes too long, or whose caller is cancelled, is killed with its process tree.
/// </summary>
public static class ProcessRunner
{
    /// <summary>The default time limit of one command.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> and optional standard input.</summary>
    public static ProcessResult Run(
        string fileName, IReadOnlyList<string> arguments, string? stdin = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var command = fileName + " " + string.Join(' ', arguments);
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ProcessResult(command, 127, string.Empty, $"cannot start {fileName}: {e.Message}", false);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command exited without reading its input; its exit code tells the rest.
        }

        var limit = timeout ?? DefaultTimeout;
        var exited = false;
        try
        {
            exited = process.WaitForExitAsync(cancellationToken).Wait(limit);
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException)
        {
            exited = false;
        }

        if (!exited)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            return new ProcessResult(command, -1, Finish(stdout), Finish(stderr), true);
        }

        process.WaitForExit();
        return new ProcessResult(command, process.ExitCode, stdout.Result, stderr.Result, false);
    }

    /// <summary>Kills a process and its children, ignoring one that already exited.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(2000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    private static string Finish(Task<string> output) => output.Wait(1000) ? output.Result : string.Empty;
}
