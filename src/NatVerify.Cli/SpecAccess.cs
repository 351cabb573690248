using System.CommandLine;
using NatVerify.Specs.Input;

namespace NatVerify.Cli;

/// <summary>The <c>--allow-outside-files</c> option of the commands that load a spec file (docs/security.md).</summary>
internal static class SpecAccess
{
    /// <summary>A new instance of the option (one per command).</summary>
    public static Option<bool> CreateOption() => new("--allow-outside-files")
    {
        Description = "Let the spec's 'ruleset-file:' name any regular file you can read, not only files in the spec's directory or below it. "
            + "The file-type and size checks still apply; a spec embedded in a trace may still name no file at all.",
    };

    /// <summary>The load options the option selects.</summary>
    public static SpecLoadOptions Options(bool allowOutsideFiles) =>
        allowOutsideFiles ? new SpecLoadOptions(SpecFileAccess.Anywhere) : SpecLoadOptions.Default;
}
