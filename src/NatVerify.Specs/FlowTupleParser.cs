using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Specs;

/// <summary>
/// Parses a flow's original tuple as specs write it: <c>SRC:SPORT -&gt; DST:DPORT</c> for TCP and UDP,
/// <c>SRC -&gt; DST</c> plus a separate echo id for ICMP.
/// </summary>
public static class FlowTupleParser
{
    private const string Arrow = "->";

    /// <summary>Parses <paramref name="text"/>, whose first character sits at <paramref name="line"/>:<paramref name="column"/> of <paramref name="file"/>.</summary>
    /// <param name="proto">The flow's protocol.</param>
    /// <param name="text">The tuple text.</param>
    /// <param name="icmpId">The ICMP echo id: required for ICMP, must be null otherwise.</param>
    /// <param name="file">Display path used in errors.</param>
    /// <param name="line">1-based line of the text's first character.</param>
    /// <param name="column">1-based column of the text's first character.</param>
    /// <returns>The original-direction tuple; for ICMP the id is the source key and the destination key is echo request.</returns>
    /// <exception cref="SpecException">The text is malformed or does not fit the protocol.</exception>
    public static ConntrackTuple Parse(L4Protocol proto, string text, int? icmpId, string file, int line, int column)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            return ParseChecked(proto, text, icmpId, file, line, column);
        }
        catch (Exception ex) when (ex is not SpecException)
        {
            throw new SpecException(file, line, column, $"internal error while parsing the flow: {ex.Message}", ex);
        }
    }

    private static ConntrackTuple ParseChecked(L4Protocol proto, string text, int? icmpId, string file, int line, int column)
    {
        SpecException Fail(int offset, string message) => new(file, line, column + offset, message);

        var arrow = text.IndexOf(Arrow, StringComparison.Ordinal);
        if (arrow < 0)
        {
            throw Fail(0, proto == L4Protocol.Icmp || proto.IsPortless()
                ? $"bad flow '{text}': expected 'SRC -> DST'"
                : $"bad flow '{text}': expected 'SRC:PORT -> DST:PORT'");
        }

        var second = text.IndexOf(Arrow, arrow + Arrow.Length, StringComparison.Ordinal);
        if (second >= 0)
        {
            throw Fail(second, "a flow has exactly one '->'");
        }

        var (srcText, srcOffset) = Trimmed(text, 0, arrow);
        var (dstText, dstOffset) = Trimmed(text, arrow + Arrow.Length, text.Length);
        if (srcText.Length == 0)
        {
            throw Fail(0, "missing source before '->'");
        }

        if (dstText.Length == 0)
        {
            throw Fail(arrow, "missing destination after '->'");
        }

        if (proto == L4Protocol.Icmp)
        {
            if (icmpId is not { } id)
            {
                throw Fail(0, "an icmp flow needs an icmp-id");
            }

            if (id is < 0 or > 65535)
            {
                throw Fail(0, $"icmp-id {NumberText.Show(id)} is out of range 0-65535");
            }

            var src = Address(srcText, srcOffset, icmp: true);
            var dst = Address(dstText, dstOffset, icmp: true);
            return new ConntrackTuple(L4Protocol.Icmp, src, Port.Of(id), dst, ConntrackTuple.IcmpEchoRequest);
        }

        if (icmpId is not null)
        {
            throw Fail(0, $"icmp-id is only valid for icmp flows, not {proto.Name()}");
        }

        if (proto.IsPortless())
        {
            // gre_pkt_to_tuple (version 0) and generic_pkt_to_tuple leave both L4 keys 0: the tuple is the addresses.
            if (srcText.Contains(':') || dstText.Contains(':'))
            {
                var at = srcText.Contains(':') ? srcOffset + srcText.IndexOf(':') : dstOffset + dstText.IndexOf(':');
                throw Fail(at, $"{proto.Name()} flows have no ports: write 'SRC -> DST'");
            }

            return new ConntrackTuple(proto, Address(srcText, srcOffset, icmp: false), Port.Of(0), Address(dstText, dstOffset, icmp: false), Port.Of(0));
        }

        var (srcIp, srcPort) = Endpoint(srcText, srcOffset);
        var (dstIp, dstPort) = Endpoint(dstText, dstOffset);
        return new ConntrackTuple(proto, srcIp, Port.Of(srcPort), dstIp, Port.Of(dstPort));

        (Ipv4, int) Endpoint(string endpoint, int offset)
        {
            var colon = endpoint.LastIndexOf(':');
            if (colon < 0)
            {
                throw Fail(offset + endpoint.Length, $"missing port in '{endpoint}': {proto.Name()} endpoints are written a.b.c.d:port");
            }

            var ip = Address(endpoint[..colon], offset, icmp: false);
            var portText = endpoint[(colon + 1)..];
            if (!NumberText.TryParseDecimal(portText, 0, 65535, out var port))
            {
                throw Fail(offset + colon + 1, $"bad port '{portText}': ports are 0-65535");
            }

            return (ip, port);
        }

        Ipv4 Address(string address, int offset, bool icmp)
        {
            if (icmp && address.Contains(':'))
            {
                throw Fail(offset + address.IndexOf(':'), "icmp flows have no ports: write 'SRC -> DST' and give the echo id as icmp-id");
            }

            if (!Ipv4.TryParse(address, out var ip))
            {
                throw Fail(offset, $"bad IPv4 address '{address}'{Ipv4.Hint(address)}");
            }

            return ip;
        }
    }

    // Returns text[start..end] without surrounding whitespace, and the offset where it begins.
    private static (string Text, int Offset) Trimmed(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (text[start..end], start);
    }
}
