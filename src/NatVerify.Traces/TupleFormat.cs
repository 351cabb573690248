using NatVerify.Model.Addressing;
using NatVerify.Model.Semantics;
using NatVerify.Model.Tuples;

namespace NatVerify.Traces;

/// <summary>Formats tuples the way <c>conntrack -L</c> does, with fresh ports spelled out.</summary>
public sealed class TupleFormat(NatSemantics semantics)
{
    /// <summary>A port: its number, or <c>fresh#k(lo-hi)</c>.</summary>
    public string Port(Port port) => semantics.Ports.Describe(port);

    /// <summary><c>src=a dst=b sport=p dport=q</c> (ICMP: <c>type=8 code=0 id=7</c>).</summary>
    public string Fields(ConntrackTuple t) => t.Protocol == L4Protocol.Icmp
        ? $"src={t.SrcIp} dst={t.DstIp} type={(t.DstPort.IsFresh ? 0 : t.DstPort.Raw >> 8)} code=0 id={Port(t.SrcPort)}"
        : t.Protocol.IsPortless() ? $"src={t.SrcIp} dst={t.DstIp}"
        : $"src={t.SrcIp} dst={t.DstIp} sport={Port(t.SrcPort)} dport={Port(t.DstPort)}";

    /// <summary>A tuple as an arrow, e.g. <c>198.51.100.1:12345 -> 198.51.100.2:80</c>.</summary>
    public string Arrow(ConntrackTuple t) => t.Protocol == L4Protocol.Icmp
        ? $"icmp {t.SrcIp} -> {t.DstIp} id {Port(t.SrcPort)}"
        : t.Protocol.IsPortless() ? $"{t.Protocol.Name()} {t.SrcIp} -> {t.DstIp}"
        : $"{t.Protocol.Name()} {t.SrcIp}:{Port(t.SrcPort)} -> {t.DstIp}:{Port(t.DstPort)}";
}
