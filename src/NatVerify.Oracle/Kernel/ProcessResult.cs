namespace NatVerify.Oracle.Kernel;

/// <summary>How a command ended: exit code (-1 when killed for taking too long), and everything it printed.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    /// <summary>True when the command exited with 0.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Stdout and stderr, trimmed, for messages.</summary>
    public string Output => string.Join(" | ", new[] { Stdout.Trim(), Stderr.Trim() }.Where(s => s.Length > 0));
}
