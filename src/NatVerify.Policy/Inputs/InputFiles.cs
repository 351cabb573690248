using System.Text;
using NatVerify.Specs;

namespace NatVerify.Policy.Inputs;

/// <summary>
/// Reads the files <c>natverify policy</c> is given: regular files only, bounded in size before any parser sees them,
/// so a hostile path (a device, a FIFO, a huge file) is a located error, not a hang or an out-of-memory.
/// </summary>
public static class InputFiles
{
    /// <summary>Largest ruleset file read (a kube-proxy dump of 1,000 services is about 1.5 MiB).</summary>
    public const long MaxRulesetBytes = 64L * 1024 * 1024;

    /// <summary>Largest host-facts file (ip, ss, context) read.</summary>
    public const long MaxHostFileBytes = 16L * 1024 * 1024;

    /// <summary>Deepest JSON/YAML flow nesting accepted before the parser runs.</summary>
    public const int MaxNesting = 64;

    /// <summary>Reads a whole regular file as UTF-8, refusing anything else or anything larger than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="SpecException">At 1:1 of the file: missing, not a regular file, too large, unreadable, or not UTF-8.</exception>
    public static string ReadText(string path, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new SpecException(path, 1, 1, "is a directory; expected a regular file");
        }

        if (!File.Exists(path))
        {
            throw new SpecException(path, 1, 1, "no such file");
        }

        var target = new FileInfo(path);
        var final = target.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? target;
        var full = Path.GetFullPath(final.FullName);
        // Devices, FIFOs and sockets are not regular files; .NET does not expose the file type, so the pseudo-file
        // trees and the device attribute are refused by name and attribute, and every read is bounded below anyway.
        if ((final.Attributes & FileAttributes.Device) != 0 || full.StartsWith("/dev/", StringComparison.Ordinal)
            || full.StartsWith("/proc/", StringComparison.Ordinal) || full.StartsWith("/sys/", StringComparison.Ordinal))
        {
            throw new SpecException(path, 1, 1, "is not a regular file");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            if (stream.CanSeek && stream.Length > maxBytes)
            {
                throw new SpecException(path, 1, 1, $"is {stream.Length} bytes; the limit is {maxBytes} bytes");
            }

            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > maxBytes)
                {
                    throw new SpecException(path, 1, 1, $"is larger than the limit of {maxBytes} bytes");
                }
            }

            try
            {
                return new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
            catch (DecoderFallbackException)
            {
                throw new SpecException(path, 1, 1, "is not UTF-8 text");
            }
        }
        catch (IOException e)
        {
            throw new SpecException(path, 1, 1, $"cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SpecException(path, 1, 1, $"cannot be read: {e.Message}");
        }
    }

    /// <summary>
    /// Refuses JSON/YAML text whose bracket nesting exceeds <see cref="MaxNesting"/>, before a recursive parser could
    /// overflow the stack; brackets inside quoted strings do not count.
    /// </summary>
    /// <exception cref="SpecException">At the bracket that is one too deep.</exception>
    public static void CheckNesting(string text, string file)
    {
        int depth = 0, line = 1, col = 0;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            col++;
            if (c == '\n')
            {
                line++;
                col = 0;
                continue;
            }

            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                    col++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quote = c;
                    break;
                case '[' or '{':
                    if (++depth > MaxNesting)
                    {
                        throw new SpecException(file, line, col, $"nesting deeper than {MaxNesting} levels");
                    }

                    break;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }
    }
}
