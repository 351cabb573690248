namespace NatVerify.Specs;

/// <summary>
/// The only exception spec parsing throws for bad input: a located, human-readable complaint about a spec file
/// (or a ruleset file it includes).
/// </summary>
public sealed class SpecException : Exception
{
    /// <summary>Creates an error at a 1-based line and column of <paramref name="file"/>.</summary>
    /// <param name="file">Display path of the file the error is in.</param>
    /// <param name="line">1-based line.</param>
    /// <param name="column">1-based column.</param>
    /// <param name="detail">What is wrong, without the location prefix.</param>
    /// <param name="innerException">The low-level failure this error explains, if any.</param>
    public SpecException(string file, int line, int column, string detail, Exception? innerException = null)
        : base($"{file}:{line}:{column}: {detail}", innerException)
    {
        File = file;
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>Display path of the file the error is in.</summary>
    public string File { get; }

    /// <summary>1-based line of the error.</summary>
    public int Line { get; }

    /// <summary>1-based column of the error.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Detail { get; }
}
