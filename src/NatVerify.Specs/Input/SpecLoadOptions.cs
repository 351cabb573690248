namespace NatVerify.Specs.Input;

/// <summary>What a spec may make NatVerify read besides its own text (see docs/security.md).</summary>
public enum SpecFileAccess
{
    /// <summary>No other file: the spec is embedded in a trace, which is self-contained; <c>ruleset-file</c> is an error.</summary>
    None,

    /// <summary><c>ruleset-file</c> names a regular file in the spec's directory or below it (the default).</summary>
    SpecDirectory,

    /// <summary><c>ruleset-file</c> may name any regular file the user can read (an explicit CLI option).</summary>
    Anywhere,
}

/// <summary>How a spec is loaded: which files it may refer to and how large they may be.</summary>
/// <param name="Files">Which files <c>ruleset-file</c> may name.</param>
/// <param name="MaxFileBytes">The largest ruleset file read.</param>
public sealed record SpecLoadOptions(SpecFileAccess Files = SpecFileAccess.SpecDirectory, long MaxFileBytes = InputFile.MaxSpecBytes)
{
    /// <summary>The default: files in the spec's directory only, at most <see cref="InputFile.MaxSpecBytes"/>.</summary>
    public static SpecLoadOptions Default { get; } = new();

    /// <summary>A spec embedded in a trace: no other file at all.</summary>
    public static SpecLoadOptions Embedded { get; } = new(SpecFileAccess.None);
}
