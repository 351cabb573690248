using System.Globalization;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;

namespace NatVerify.Properties;

/// <summary>Writes ctnetlink events as the <c>conntrack</c> command lines the spec parser reads.</summary>
public static class ConntrackText
{
    /// <summary><c>conntrack -I</c> with both tuples spelled out (tcp or udp).</summary>
    /// <param name="original">The original tuple.</param>
    /// <param name="reply">The reply tuple.</param>
    /// <returns>The arguments, e.g. <c>-I -p tcp -s A -d B --sport 1 --dport 2 -r B -q A --reply-port-src 2 --reply-port-dst 1</c>.</returns>
    public static string Insert(ConntrackTuple original, ConntrackTuple reply)
    {
        if (original.Protocol == L4Protocol.Icmp || reply.Protocol != original.Protocol)
        {
            throw new ArgumentException("generated inserts are tcp or udp, with one protocol for both tuples", nameof(original));
        }

        return $"-I -p {original.Protocol.Name()} -s {original.SrcIp} -d {original.DstIp} --sport {N(original.SrcPort)} --dport {N(original.DstPort)}"
            + $" -r {reply.SrcIp} -q {reply.DstIp} --reply-port-src {N(reply.SrcPort)} --reply-port-dst {N(reply.DstPort)}";
    }

    /// <summary><c>conntrack -D</c> with the filter's fields as options.</summary>
    /// <param name="filter">The filter; ports need a tcp or udp protocol.</param>
    /// <returns>The arguments, e.g. <c>-D -p tcp -s 198.51.100.1 --sport 12345</c>.</returns>
    public static string Delete(TupleFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parts = new List<string> { "-D" };
        if (filter.Protocol is { } p)
        {
            parts.Add("-p");
            parts.Add(p.Name());
        }

        Add(parts, "-s", filter.Original.SrcIp?.ToString());
        Add(parts, "-d", filter.Original.DstIp?.ToString());
        Add(parts, "--sport", N(filter.Original.SrcPort));
        Add(parts, "--dport", N(filter.Original.DstPort));
        Add(parts, "-r", filter.Reply.SrcIp?.ToString());
        Add(parts, "-q", filter.Reply.DstIp?.ToString());
        Add(parts, "--reply-port-src", N(filter.Reply.SrcPort));
        Add(parts, "--reply-port-dst", N(filter.Reply.DstPort));
        return string.Join(' ', parts);
    }

    private static void Add(List<string> parts, string option, string? value)
    {
        if (value is not null)
        {
            parts.Add(option);
            parts.Add(value);
        }
    }

    private static string N(Port port) => port.Raw.ToString(CultureInfo.InvariantCulture);

    private static string? N(int? port) => port?.ToString(CultureInfo.InvariantCulture);
}
