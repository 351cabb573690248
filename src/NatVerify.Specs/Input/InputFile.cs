using System.Runtime.InteropServices;
using System.Text;

namespace NatVerify.Specs.Input;

/// <summary>
/// Reads an input file (spec, ruleset, trace) the way hostile input must be read: the file type is checked with
/// <c>statx</c> before the file is opened, so a FIFO (whose open blocks), a device such as <c>/dev/zero</c> (endless) or
/// a directory is refused without being opened; at most <c>limit</c> bytes are ever read, so a file that grows
/// between the check and the read is still cut off. Errors never quote the file's content.
/// </summary>
public static class InputFile
{
    /// <summary>Largest spec or ruleset file read (4 MiB): the largest shipped spec is a few KiB.</summary>
    public const long MaxSpecBytes = 4L << 20;

    /// <summary>Largest trace file read (64 MiB): a trace embeds its spec and one line per step.</summary>
    public const long MaxTraceBytes = 64L << 20;

    /// <summary>Reads a regular file as text (UTF-8, a BOM honoured).</summary>
    /// <exception cref="InputFileException">The file is missing, not a regular file, larger than <paramref name="limit"/>, or cannot be read.</exception>
    public static string ReadText(string path, long limit)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new InputFileException("not a file name");
        }

        var kind = FileKind(path);
        if (kind is not null)
        {
            throw new InputFileException(kind);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > limit)
                {
                    throw new InputFileException($"larger than the limit of {limit} bytes");
                }
            }

            buffer.Position = 0;
            using var reader = new StreamReader(buffer, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputFileException(ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message, ex);
        }
    }

    /// <summary>Why the path is not a readable regular file, or null when it is one (symbolic links are followed).</summary>
    private static string? FileKind(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (Directory.Exists(path))
            {
                return "a directory, not a regular file";
            }

            return File.Exists(path) ? null : "no such file";
        }

        // struct statx has the same layout on every Linux architecture: stx_mode is a u16 at offset 28.
        var buffer = new byte[256];
        if (NativeMethods.Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                2 or 20 => "no such file",
                13 => "permission denied",
                _ => $"cannot examine it (errno {errno})",
            };
        }

        var mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
        return mode switch
        {
            0x8000 => null,
            0x4000 => "a directory, not a regular file",
            0x1000 => "a FIFO, not a regular file",
            0x2000 => "a character device, not a regular file",
            0x6000 => "a block device, not a regular file",
            0xC000 => "a socket, not a regular file",
            _ => "not a regular file",
        };
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}

/// <summary>An input file could not be read safely; <see cref="Exception.Message"/> says why, never what it contains.</summary>
public sealed class InputFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InputFileException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
