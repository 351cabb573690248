using System.Text;

namespace NatVerify.Specs;

/// <summary>
/// Splits a line into arguments the way iptables-restore does: whitespace separates, double quotes group
/// (so <c>--comment "x y"</c> is one argument), and inside quotes a backslash escapes the next character.
/// </summary>
internal static class ArgTokenizer
{
    /// <summary>Tokenises <paramref name="line"/>; returns false with the offending quote's offset when a quote is not closed.</summary>
    public static bool TryTokenize(string line, out List<ArgToken> tokens, out int errorOffset)
    {
        tokens = [];
        errorOffset = -1;
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var text = new StringBuilder();
            var verbatim = true;
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                if (line[i] != '"')
                {
                    text.Append(line[i]);
                    i++;
                    continue;
                }

                // A quoted run may contain whitespace; it ends at the next unescaped quote.
                verbatim = false;
                var quote = i;
                i++;
                var closed = false;
                while (i < line.Length)
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        text.Append(line[i + 1]);
                        i += 2;
                    }
                    else if (line[i] == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }
                    else
                    {
                        text.Append(line[i]);
                        i++;
                    }
                }

                if (!closed)
                {
                    errorOffset = quote;
                    return false;
                }
            }

            tokens.Add(new ArgToken(text.ToString(), start, verbatim));
        }

        return true;
    }
}
