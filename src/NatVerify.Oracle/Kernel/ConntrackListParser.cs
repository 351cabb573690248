using System.Globalization;
using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Oracle.Kernel;

/// <summary>
/// Reads <c>conntrack -L</c> output. A line is <c>PROTO NUM TIMEOUT [STATE] key=value... [FLAGS]</c>: the first
/// group of <c>src dst sport dport</c> (ICMP: <c>src dst type code id</c>) is the original tuple, the second the
/// reply tuple; everything else (state, flags, <c>mark</c>, <c>use</c>, <c>zone</c>, ...) is ignored. Lines of
/// protocols the model does not track, or that do not have both tuples, are returned as unparsed.
/// </summary>
public static class ConntrackListParser
{
    private static readonly HashSet<string> TupleKeys = new(StringComparer.Ordinal) { "src", "dst", "sport", "dport", "type", "code", "id" };

    /// <summary>Parses the whole output; returns the entries and the lines that could not be read as entries.</summary>
    public static (IReadOnlyList<KernelEntry> Entries, IReadOnlyList<string> Unparsed) Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var entries = new List<KernelEntry>();
        var unparsed = new List<string>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("conntrack v", StringComparison.Ordinal))
            {
                continue;
            }

            if (TryParseLine(line, out var entry))
            {
                entries.Add(entry);
            }
            else
            {
                unparsed.Add(line);
            }
        }

        return (entries, unparsed);
    }

    /// <summary>Parses one entry line.</summary>
    public static bool TryParseLine(string line, out KernelEntry entry)
    {
        entry = null!;
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length < 3 || !TryProtocol(tokens[0], tokens[1], out var protocol))
        {
            return false;
        }

        var groups = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var token in tokens.Skip(2))
        {
            var eq = token.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var key = token[..eq];
            var value = token[(eq + 1)..];
            if (key == "src")
            {
                current = [];
                groups.Add(current);
            }

            // A key seen again in the same group, or a key outside the tuple keys, ends the group.
            if (current is null || !TupleKeys.Contains(key) || (key != "src" && current.ContainsKey(key)))
            {
                current = null;
                continue;
            }

            current[key] = value;
        }

        if (groups.Count < 2 || !TryTuple(protocol, groups[0], out var original) || !TryTuple(protocol, groups[1], out var reply))
        {
            return false;
        }

        entry = new KernelEntry(original, reply, line);
        return true;
    }

    /// <summary>
    /// The protocol of a line: <c>tcp 6</c>, <c>udp 17</c>, <c>icmp 1</c>, <c>gre 47</c>, or <c>unknown N</c> (the generic
    /// tracker). Both columns must agree.
    /// </summary>
    private static bool TryProtocol(string name, string number, out L4Protocol protocol)
    {
        protocol = default;
        if (!byte.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        protocol = (L4Protocol)n;
        return L4ProtocolNames.TryParse(name, out var named) ? named == protocol
            : name == "gre" ? protocol == L4Protocol.Gre
            : name == "unknown" && protocol.IsPortless() && protocol != L4Protocol.Gre;
    }

    private static bool TryTuple(L4Protocol protocol, Dictionary<string, string> fields, out ConntrackTuple tuple)
    {
        tuple = default;
        if (!fields.TryGetValue("src", out var srcText) || !fields.TryGetValue("dst", out var dstText)
            || !Ipv4.TryParse(srcText, out var src) || !Ipv4.TryParse(dstText, out var dst))
        {
            return false;
        }

        if (protocol == L4Protocol.Icmp)
        {
            if (!Number(fields, "type", 255, out var type) || !Number(fields, "code", 255, out var code) || !Number(fields, "id", 65535, out var id))
            {
                return false;
            }

            tuple = new ConntrackTuple(protocol, src, Port.Of(id), dst, Port.Of((type << 8) | code));
            return true;
        }

        if (protocol.IsPortless())
        {
            // GRE v0 lines carry srckey=0x0 dstkey=0x0 (not tuple keys here: they end the group); generic ones nothing.
            tuple = new ConntrackTuple(protocol, src, Port.Of(0), dst, Port.Of(0));
            return true;
        }

        if (!Number(fields, "sport", 65535, out var sport) || !Number(fields, "dport", 65535, out var dport))
        {
            return false;
        }

        tuple = new ConntrackTuple(protocol, src, Port.Of(sport), dst, Port.Of(dport));
        return true;
    }

    private static bool Number(Dictionary<string, string> fields, string key, int max, out int value)
    {
        value = 0;
        return fields.TryGetValue(key, out var text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;
    }
}
