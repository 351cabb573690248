namespace NatVerify.Traces;

/// <summary>A trace file that cannot be read: not JSON, not our format or version, or a field missing or malformed.</summary>
/// <param name="file">The trace file's display path.</param>
/// <param name="detail">What is wrong, including the JSON path or line where known.</param>
public sealed class TraceFormatException(string file, string detail) : Exception($"{file}: {detail}")
{
    /// <summary>The trace file's display path.</summary>
    public string File { get; } = file;

    /// <summary>What is wrong.</summary>
    public string Detail { get; } = detail;
}
