namespace NatVerify.Specs.Input;

/// <summary>
/// A cheap scan of YAML or JSON text run before the parser sees it: YamlDotNet and other recursive-descent parsers
/// recurse once per nesting level, and a few tens of KB of '[' or '- - -' overflow the stack, which no catch block can
/// handle. The scan over-approximates the depth, so whatever passes it is shallow for the parser.
/// </summary>
public static class NestingLimit
{
    /// <summary>Deepest flow nesting ('[' and '{') accepted; specs and traces need fewer than 10 levels.</summary>
    public const int MaxFlowDepth = 64;

    /// <summary>
    /// Longest run of indentation and block indicators ('-', '?', ':') at the start of a YAML line: an upper bound of
    /// the block nesting that line opens.
    /// </summary>
    public const int MaxBlockIndent = 512;

    /// <summary>Where and why the text is too deep, or null when it is within the limits.</summary>
    /// <param name="text">The text.</param>
    /// <param name="yaml">True for YAML (block indentation, '#' comments and single quotes count); false for JSON.</param>
    public static (int Line, int Column, string Detail)? Check(string text, bool yaml)
    {
        ArgumentNullException.ThrowIfNull(text);
        var depth = 0;
        var line = 1;
        var column = 0;
        var atLineStart = true;
        var lead = 0;
        char quote = '\0';
        var comment = false;
        var previous = ' '; // the last character outside quotes; YAML quotes and comments only start after these
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            column++;
            if (c == '\n')
            {
                line++;
                column = 0;
                atLineStart = true;
                lead = 0;
                comment = false;
                previous = ' ';

                // A quote the scan took for a quoted scalar's start may be a character of a plain scalar, which the
                // parser reads to the end of the line at most: ending quotes at the line end keeps the scan an upper
                // bound (a real multi-line quoted scalar only gets its brackets counted).
                quote = '\0';

                continue;
            }

            if (comment)
            {
                continue;
            }

            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                    column++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            if (yaml && atLineStart)
            {
                if (c is ' ' or '\t' or '-' or '?' or ':')
                {
                    if (++lead > MaxBlockIndent)
                    {
                        return (line, column, $"indentation and block indicators deeper than {MaxBlockIndent} at the start of a line (nesting limit)");
                    }

                    continue;
                }

                atLineStart = false;
                previous = ' ';
            }

            // In YAML a quote inside a plain scalar (the kernel's) is a character, and '#' starts a comment only after
            // a space; treating them otherwise could hide brackets from the scan, never add any.
            var scalarStart = !yaml || previous is ' ' or '\t' or ':' or '-' or '[' or '{' or ',' or '?';
            var before = previous;
            previous = c;
            switch (c)
            {
                case '"' when scalarStart:
                    quote = c;
                    break;
                case '\'' when yaml && scalarStart:
                    quote = c;
                    break;
                case '#' when yaml && before is ' ' or '\t':
                    comment = true;
                    break;
                case '[' or '{':
                    if (++depth > MaxFlowDepth)
                    {
                        return (line, column, $"nesting deeper than {MaxFlowDepth} levels of '[' and '{{'");
                    }

                    break;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }

        return null;
    }
}
