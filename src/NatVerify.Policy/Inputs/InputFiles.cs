using NatVerify.Specs;
using NatVerify.Specs.Input;

namespace NatVerify.Policy.Inputs;

/// <summary>
/// The files <c>natverify policy</c> is given, read through the same hostile-input layer as specs and traces
/// (<see cref="InputFile"/>: file type checked before opening, size bounded while reading; <see cref="NestingLimit"/>
/// before any recursive parser), with the policy's own size limits and errors located at the file.
/// </summary>
public static class InputFiles
{
    /// <summary>Largest ruleset file read (a kube-proxy dump of 1,000 services is about 1.5 MiB).</summary>
    public const long MaxRulesetBytes = 64L * 1024 * 1024;

    /// <summary>Largest host-facts file (ip, ss, context) read.</summary>
    public const long MaxHostFileBytes = 16L * 1024 * 1024;

    /// <summary>Deepest JSON/YAML flow nesting accepted before the parser runs.</summary>
    public const int MaxNesting = NestingLimit.MaxFlowDepth;

    /// <summary>Reads a whole regular file as text, refusing anything else or anything larger than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="SpecException">At 1:1 of the file: missing, not a regular file, too large or unreadable.</exception>
    public static string ReadText(string path, long maxBytes)
    {
        try
        {
            return InputFile.ReadText(path, maxBytes);
        }
        catch (InputFileException e)
        {
            throw new SpecException(path, 1, 1, e.Message, e);
        }
    }

    /// <summary>Refuses JSON/YAML text nested deeper than the parsers can take, before they run.</summary>
    /// <exception cref="SpecException">At the place that is one level too deep.</exception>
    public static void CheckNesting(string text, string file)
    {
        if (NestingLimit.Check(text, yaml: true) is { } deep)
        {
            throw new SpecException(file, deep.Line, deep.Column, deep.Detail);
        }
    }
}
