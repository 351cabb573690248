using NatVerify.Model.Addressing;

namespace NatVerify.Model.Nat;

/// <summary>The <c>NF_NAT_RANGE_*</c> flags of <c>struct nf_nat_range2</c> that the model interprets.</summary>
[Flags]
public enum NatRangeFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>NF_NAT_RANGE_MAP_IPS: the address range is meaningful.</summary>
    MapIps = 1,

    /// <summary>NF_NAT_RANGE_PROTO_SPECIFIED: the port range is meaningful.</summary>
    ProtoSpecified = 2,

    /// <summary>NF_NAT_RANGE_PROTO_RANDOM (<c>--random</c>).</summary>
    ProtoRandom = 4,

    /// <summary>NF_NAT_RANGE_PERSISTENT (<c>--persistent</c>).</summary>
    Persistent = 8,

    /// <summary>NF_NAT_RANGE_PROTO_RANDOM_FULLY (<c>--random-fully</c>).</summary>
    ProtoRandomFully = 16,
}

/// <summary>A NAT mapping request, <c>struct nf_nat_range2</c>: addresses, ports (or ICMP ids) and flags.</summary>
public sealed record NatRange(NatRangeFlags Flags, Ipv4 MinAddr, Ipv4 MaxAddr, int MinProto, int MaxProto)
{
    /// <summary>NF_NAT_RANGE_PROTO_RANDOM_ALL: either random flag.</summary>
    public bool RandomAll => (Flags & (NatRangeFlags.ProtoRandom | NatRangeFlags.ProtoRandomFully)) != 0;

    /// <summary>True when the port range is given.</summary>
    public bool ProtoSpecified => (Flags & NatRangeFlags.ProtoSpecified) != 0;

    /// <summary>True when the address range is given.</summary>
    public bool MapIps => (Flags & NatRangeFlags.MapIps) != 0;

    /// <summary>
    /// The range <c>__nf_nat_alloc_null_binding</c> builds: MAP_IPS with the single current address,
    /// no PROTO_SPECIFIED, so only the port search of the SRC manip can change anything.
    /// </summary>
    public static NatRange NullBinding(Ipv4 address) => new(NatRangeFlags.MapIps, address, address, 0, 0);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = MapIps ? (MinAddr == MaxAddr ? MinAddr.ToString() : $"{MinAddr}-{MaxAddr}") : string.Empty;
        if (ProtoSpecified)
        {
            text += ":" + new PortRange(MinProto, MaxProto);
        }

        if ((Flags & NatRangeFlags.ProtoRandom) != 0)
        {
            text += " random";
        }

        if ((Flags & NatRangeFlags.ProtoRandomFully) != 0)
        {
            text += " random-fully";
        }

        if ((Flags & NatRangeFlags.Persistent) != 0)
        {
            text += " persistent";
        }

        return text;
    }
}
