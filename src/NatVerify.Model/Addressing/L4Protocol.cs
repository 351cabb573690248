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
        _ => ((int)protocol).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

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
