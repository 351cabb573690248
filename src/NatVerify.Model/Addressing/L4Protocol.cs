namespace NatVerify.Model.Addressing;

/// <summary>The layer-4 protocols the model tracks, with their IANA numbers.</summary>
public enum L4Protocol : byte
{
    /// <summary>ICMP echo: the tuple's L4 key is the echo id (kernel <c>nf_conntrack_proto_icmp.c</c>).</summary>
    Icmp = 1,

    /// <summary>TCP: no clash resolution at confirm (<c>allow_clash</c> is false).</summary>
    Tcp = 6,

    /// <summary>UDP: <c>allow_clash</c> is true, so confirm may merge or insert a NAT_CLASH entry.</summary>
    Udp = 17,

    /// <summary>
    /// GRE version 0 (no PPTP helper): <c>gre_pkt_to_tuple</c> keys it like the generic tracker, by addresses only
    /// (keys 0). Any other protocol number outside tcp/udp/icmp is likewise portless (<c>nf_conntrack_proto_generic</c>).
    /// </summary>
    Gre = 47,
}

/// <summary>Names of protocols as iptables and conntrack spell them.</summary>
public static class L4ProtocolNames
{
    /// <summary>Lower-case name (<c>tcp</c>, <c>udp</c>, <c>icmp</c>).</summary>
    public static string Name(this L4Protocol protocol) => protocol switch
    {
        L4Protocol.Icmp => "icmp",
        L4Protocol.Tcp => "tcp",
        L4Protocol.Udp => "udp",
        L4Protocol.Gre => "gre",
        _ => ((int)protocol).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// True for protocols whose conntrack tuple has no L4 key (GRE without keys, the generic tracker's protocols): a
    /// NAT manip can change only the address, so a clash cannot be resolved by another port or id.
    /// </summary>
    public static bool IsPortless(this L4Protocol protocol) => protocol is not (L4Protocol.Tcp or L4Protocol.Udp or L4Protocol.Icmp);

    /// <summary>
    /// Parses a flow's protocol: tcp, udp, icmp, gre, or a number 0-255 whose conntrack tuple is addresses only. Protocols
    /// the kernel tracks with ports the model does not have (dccp 33, sctp 132, udplite 136) and IPv6-only ones are refused.
    /// </summary>
    public static bool TryParseFlow(string text, out L4Protocol protocol, out string? why)
    {
        why = null;
        if (TryParse(text, out protocol))
        {
            return true;
        }

        if (text.Equals("gre", StringComparison.OrdinalIgnoreCase))
        {
            protocol = L4Protocol.Gre;
            return true;
        }

        if (!byte.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            why = "known: tcp, udp, icmp, gre, or a protocol number 0-255";
            return false;
        }

        switch (number)
        {
            case 33 or 132 or 136:
                why = $"protocol {number} is tracked with ports (dccp, sctp, udplite), which the model does not have";
                return false;
            case 0 or 43 or 44 or 58 or 60:
                why = $"protocol {number} is an IPv6 header or ICMPv6: not an IPv4 flow";
                return false;
            default:
                protocol = (L4Protocol)number;
                return true;
        }
    }

    /// <summary>Parses a name or protocol number; false for protocols the model does not track.</summary>
    public static bool TryParse(string text, out L4Protocol protocol)
    {
        switch (text.ToLowerInvariant())
        {
            case "tcp" or "6":
                protocol = L4Protocol.Tcp;
                return true;
            case "udp" or "17":
                protocol = L4Protocol.Udp;
                return true;
            case "icmp" or "1":
                protocol = L4Protocol.Icmp;
                return true;
            default:
                protocol = default;
                return false;
        }
    }
}
